using System.Text.Json;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>GET /v1/users/{userId}.</summary>
public sealed record UserResponse(
    bool IsEnrolled,
    string? Email,
    bool EmailVerified,
    string? PhoneNumber,
    bool PhoneNumberVerified,
    string? Username,
    string? DisplayName,
    JsonElement? Custom,
    IReadOnlyList<string> EnrolledVerificationMethods,
    IReadOnlyList<string> AllowedVerificationMethods,
    string? DefaultVerificationMethod)
{
    public static UserResponse From(Tenant tenant, UserRecord user)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(user);
        return new(
            user.IsEnrolled,
            user.Email,
            user.Email is not null && user.Verified.Any(a => a.VerificationMethod is VerificationMethods.EmailOtp or VerificationMethods.EmailMagicLink &&
                string.Equals(a.Email, user.Email, StringComparison.OrdinalIgnoreCase)),
            user.PhoneNumber,
            user.PhoneNumber is not null && user.Verified.Any(a => a.VerificationMethod is VerificationMethods.Sms or VerificationMethods.WhatsApp &&
                a.PhoneNumber == user.PhoneNumber),
            user.Username,
            user.DisplayName,
            user.Custom,
            user.EnrolledMethods(tenant),
            tenant.VerificationMethods,
            user.DefaultMethod(tenant));
    }
}

/// <summary>PATCH /v1/users/{userId} answer: the user's attributes.</summary>
public sealed record UserAttributesResponse(string? Email, string? PhoneNumber, string? Username, string? DisplayName, JsonElement? Custom);

/// <summary>POST /v1/users/{userId}/authenticators answer; <c>recoveryCodes</c> only with a user's first verified authenticator, once.</summary>
public sealed record EnrolAuthenticatorResponse(AuthenticatorResponse Authenticator, IReadOnlyList<string>? RecoveryCodes = null);
