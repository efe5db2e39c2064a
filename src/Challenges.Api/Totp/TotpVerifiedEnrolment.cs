using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Users;

namespace Challenges.Api.Totp;

/// <summary>
/// The Server API's enrolment of an authenticator app the backend has already verified: its secret from the request's
/// <c>otpUri</c> (<see cref="TotpCodes.ParseUri"/>), sealed like one enrolled here; the same secret again is the same app.
/// </summary>
public sealed class TotpVerifiedEnrolment(TotpCodes codes) : IVerifiedEnrolment
{
    public string Method => VerificationMethods.AuthenticatorApp;

    public Task<Outcome<EnrolmentSecret>> ReadAsync(Tenant tenant, string userId, EnrolAuthenticatorRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        if (TotpCodes.ParseUri(request.OtpUri).Failed(out var invalid, out var secret))
        {
            return Task.FromResult<Outcome<EnrolmentSecret>>(invalid);
        }
        return Task.FromResult<Outcome<EnrolmentSecret>>(new EnrolmentSecret(a => a with { SealedSecret = codes.Seal(tenant.Id, userId, a.Id, secret) },
            a => a.VerificationMethod == Method && codes.Open(tenant.Id, userId, a.Id, a.SealedSecret) is { } held && TotpCodes.Same(held, secret)));
    }
}
