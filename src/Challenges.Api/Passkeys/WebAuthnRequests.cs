using System.Text.Json.Serialization;
using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Passkeys;

/// <summary>
/// A PublicKeyCredential as the SDKs send it (docs/contract.md, passkeys: encodings): the browser's JSON in base64url;
/// iOS with a standard-base64 <c>clientDataJSON</c>; Android's Credential Manager JSON. Binary fields are kept as text
/// and decoded leniently (<see cref="Base64Lenient"/>). <c>userHandle</c> and <c>authenticatorAttachment</c> are read
/// by nobody.
/// </summary>
public sealed record WebAuthnCredentialJson(string? Id, string? RawId, string? Type, WebAuthnResponseJson? Response)
{
    /// <summary>The credential id's bytes: <c>rawId</c>, else <c>id</c>.</summary>
    [JsonIgnore]
    public byte[]? IdBytes => Base64Lenient.Decode(RawId ?? Id);
}

/// <summary>The <c>response</c> of a registration (attestation) or an authentication (assertion).</summary>
public sealed record WebAuthnResponseJson(
    [property: JsonPropertyName("clientDataJSON")] string? ClientDataJson,
    string? AttestationObject,
    IReadOnlyList<string>? Transports,
    string? AuthenticatorData,
    string? Signature);

/// <summary>The field rules of a credential in a body, for the validators of the requests that carry one.</summary>
public static class WebAuthnCredentialRules
{
    public static void Registration<T>(IRuleBuilderInitial<T, WebAuthnCredentialJson?> rule, string name) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage($"{name}: is required.")
            .Must(c => c!.IdBytes is not null).WithMessage($"{name}.rawId: must be a base64 or base64url credential id.")
            .Must(c => Decodes(c!.Response?.ClientDataJson)).WithMessage($"{name}.response.clientDataJSON: is required, in base64 or base64url.")
            .Must(c => Decodes(c!.Response?.AttestationObject)).WithMessage($"{name}.response.attestationObject: is required, in base64 or base64url.");

    public static void Authentication<T>(IRuleBuilderInitial<T, WebAuthnCredentialJson?> rule, string name) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage($"{name}: is required.")
            .Must(c => c!.IdBytes is not null).WithMessage($"{name}.rawId: must be a base64 or base64url credential id.")
            .Must(c => Decodes(c!.Response?.ClientDataJson)).WithMessage($"{name}.response.clientDataJSON: is required, in base64 or base64url.")
            .Must(c => Decodes(c!.Response?.AuthenticatorData)).WithMessage($"{name}.response.authenticatorData: is required, in base64 or base64url.")
            .Must(c => Decodes(c!.Response?.Signature)).WithMessage($"{name}.response.signature: is required, in base64 or base64url.");

    private static bool Decodes(string? text) => Base64Lenient.Decode(text) is not null;
}

/// <summary>POST /v1/client/user-authenticators/passkey/registration-options[/web].</summary>
public sealed record RegistrationOptionsRequest(string? Username, string? DisplayName, string? AuthenticatorAttachment);

public sealed class RegistrationOptionsRequestValidator : AbstractValidator<RegistrationOptionsRequest>
{
    public RegistrationOptionsRequestValidator()
    {
        RuleFor(r => r.Username).MaximumLength(256).WithMessage("username: at most 256 characters.");
        RuleFor(r => r.DisplayName).MaximumLength(256).WithMessage("displayName: at most 256 characters.");
        RuleFor(r => r.AuthenticatorAttachment).Must(a => a is null or "platform" or "cross-platform")
            .WithMessage("authenticatorAttachment: must be platform, cross-platform or null.");
    }
}

/// <summary>POST /v1/client/user-authenticators/passkey.</summary>
public sealed record AddPasskeyRequest(WebAuthnCredentialJson? RegistrationCredential, string? ChallengeId, bool? ConditionalCreate, string? DeviceId);

public sealed class AddPasskeyRequestValidator : AbstractValidator<AddPasskeyRequest>
{
    public AddPasskeyRequestValidator()
    {
        WebAuthnCredentialRules.Registration(RuleFor(r => r.RegistrationCredential), "registrationCredential");
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").MaximumLength(128);
        RuleFor(r => r.DeviceId).MaximumLength(256);
    }
}

/// <summary>POST /v1/client/user-authenticators/passkey/authentication-options[/web].</summary>
public sealed record AuthenticationOptionsRequest(string? ChallengeId, string? Username);

public sealed class AuthenticationOptionsRequestValidator : AbstractValidator<AuthenticationOptionsRequest>
{
    public AuthenticationOptionsRequestValidator()
    {
        RuleFor(r => r.ChallengeId).MaximumLength(128);
        RuleFor(r => r.Username).MaximumLength(256);
    }
}

/// <summary>POST /v1/client/verify/passkey.</summary>
public sealed record VerifyPasskeyRequest(WebAuthnCredentialJson? AuthenticationCredential, string? ChallengeId, string? DeviceId);

public sealed class VerifyPasskeyRequestValidator : AbstractValidator<VerifyPasskeyRequest>
{
    public VerifyPasskeyRequestValidator()
    {
        WebAuthnCredentialRules.Authentication(RuleFor(r => r.AuthenticationCredential), "authenticationCredential");
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").MaximumLength(128);
        RuleFor(r => r.DeviceId).MaximumLength(256);
    }
}

/// <summary>POST /v1/client/user-authenticators/security-key: a bare RegistrationResponseJSON (no challenge id travels).</summary>
public sealed record SecurityKeyRegistrationRequest(string? Id, string? RawId, string? Type, WebAuthnResponseJson? Response)
{
    [JsonIgnore]
    public WebAuthnCredentialJson? Credential => new(Id, RawId, Type, Response);
}

public sealed class SecurityKeyRegistrationRequestValidator : AbstractValidator<SecurityKeyRegistrationRequest>
{
    public SecurityKeyRegistrationRequestValidator()
    {
        WebAuthnCredentialRules.Registration(RuleFor(r => r.Credential), "body");
    }
}

/// <summary>POST /v1/client/verify/security-key: a bare AuthenticationResponseJSON.</summary>
public sealed record SecurityKeyAuthenticationRequest(string? Id, string? RawId, string? Type, WebAuthnResponseJson? Response)
{
    [JsonIgnore]
    public WebAuthnCredentialJson? Credential => new(Id, RawId, Type, Response);
}

public sealed class SecurityKeyAuthenticationRequestValidator : AbstractValidator<SecurityKeyAuthenticationRequest>
{
    public SecurityKeyAuthenticationRequestValidator()
    {
        WebAuthnCredentialRules.Authentication(RuleFor(r => r.Credential), "body");
    }
}
