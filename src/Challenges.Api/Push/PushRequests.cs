using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Push;

/// <summary>Device API row 1: add a device credential (Bearer).</summary>
public sealed record AddPushCredentialRequest(string? PublicKey, string? DeviceName, string? DevicePlatform, string? PushToken,
    PerformAttestationRequest? PerformAttestation = null);

/// <summary>
/// <c>performAttestation</c> of the newer SDKs: <c>APP_ATTEST</c> (iOS: the attestation object, standard base64, and
/// the App Attest key id) or <c>PLAY_INTEGRITY</c> (Android: the integrity token). Stored with the credential, not verified.
/// </summary>
public sealed record PerformAttestationRequest(string? Provider, string? Token, string? KeyId);

public static class AttestationProviders
{
    public const string AppAttest = "APP_ATTEST";
    public const string PlayIntegrity = "PLAY_INTEGRITY";

    /// <summary>The most of an attestation token kept: an App Attest object is a few kilobytes of base64.</summary>
    public const int MaxTokenLength = 16 * 1024;
}

public sealed class AddPushCredentialRequestValidator : AbstractValidator<AddPushCredentialRequest>
{
    public AddPushCredentialRequestValidator()
    {
        RuleFor(r => r.PublicKey).NotEmpty().WithMessage("publicKey: is required.")
            .Must(k => DeviceCrypto.NormalizePublicKey(k) is not null)
            .WithMessage("publicKey: must be an EC P-256 public key (X.509 SubjectPublicKeyInfo DER, standard base64).");
        RuleFor(r => r.DevicePlatform).Must(p => p is null || PushPlatforms.Normalize(p) is not null)
            .WithMessage("devicePlatform: must be one of ios, android.");
        RuleFor(r => r.DeviceName).Text(256);
        RuleFor(r => r.PushToken).Text(4096);
        RuleFor(r => r.PerformAttestation!.Provider).Must(p => p is AttestationProviders.AppAttest or AttestationProviders.PlayIntegrity)
            .WithMessage("performAttestation.provider: must be APP_ATTEST or PLAY_INTEGRITY.").When(r => r.PerformAttestation is not null);
        RuleFor(r => r.PerformAttestation!.Token).NotEmpty().WithMessage("performAttestation.token: is required.")
            .Text(AttestationProviders.MaxTokenLength).OverridePropertyName("performAttestation.token").When(r => r.PerformAttestation is not null);
        RuleFor(r => r.PerformAttestation!.KeyId).Text(256).OverridePropertyName("performAttestation.keyId").When(r => r.PerformAttestation is not null);
    }
}

public static class PushPlatforms
{
    /// <summary>The SDKs send <c>ios</c> / <c>android</c>; any case is read as the same platform.</summary>
    public static string? Normalize(string? platform) => platform?.Trim().ToUpperInvariant() switch
    {
        "IOS" => "ios",
        "ANDROID" => "android",
        _ => null,
    };
}

/// <summary>Web side: start a push challenge for the token's action.</summary>
public sealed record StartPushRequest(string? Action, string? UserAuthenticatorId);

public sealed class StartPushRequestValidator : AbstractValidator<StartPushRequest>
{
    public StartPushRequestValidator()
    {
        RuleFor(r => r.Action).Identifier();
        RuleFor(r => r.UserAuthenticatorId).Identifier();
    }
}

/// <summary>Web side: poll a push challenge.</summary>
public sealed record VerifyPushRequest(string? ChallengeId);

public sealed class VerifyPushRequestValidator : AbstractValidator<VerifyPushRequest>
{
    public VerifyPushRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
    }
}

/// <summary>Device API row 5: approve or reject, signed over the challenge id.</summary>
/// <remarks><c>reason</c> (ours): <c>NOT_ME</c> on a rejection says the user did not try to sign in ("this wasn't me").</remarks>
public sealed record AnswerPushRequest(string? ChallengeId, string? PublicKey, string? Signature, bool? Approved, string? VerificationCode,
    string? Reason = null);

public sealed class AnswerPushRequestValidator : AbstractValidator<AnswerPushRequest>
{
    public AnswerPushRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.PublicKey).NotEmpty().WithMessage("publicKey: is required.").Text(2048);
        RuleFor(r => r.Signature).NotEmpty().WithMessage("signature: is required.").Text(512);
        RuleFor(r => r.Approved).NotNull().WithMessage("approved: is required (true or false).");
        RuleFor(r => r.VerificationCode).Text(16);
        RuleFor(r => r.Reason).Text(64);
    }
}

/// <summary>Device API row 6: remove the credential, signed over the time-window message.</summary>
public sealed record RemovePushCredentialRequest(string? PublicKey, string? Signature);

public sealed class RemovePushCredentialRequestValidator : AbstractValidator<RemovePushCredentialRequest>
{
    public RemovePushCredentialRequestValidator()
    {
        RuleFor(r => r.PublicKey).NotEmpty().WithMessage("publicKey: is required.").Text(2048);
        RuleFor(r => r.Signature).NotEmpty().WithMessage("signature: is required.").Text(512);
    }
}

/// <summary>Device API row 8: update the credential, signed over the message from row 7.</summary>
public sealed record UpdatePushCredentialRequest(string? ChallengeId, string? PublicKey, string? Signature, string? PushToken, bool? ResetExpiry);

public sealed class UpdatePushCredentialRequestValidator : AbstractValidator<UpdatePushCredentialRequest>
{
    public UpdatePushCredentialRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.PublicKey).NotEmpty().WithMessage("publicKey: is required.").Text(2048);
        RuleFor(r => r.Signature).NotEmpty().WithMessage("signature: is required.").Text(512);
        RuleFor(r => r.PushToken).Text(4096);
    }
}
