using System.Text.Json;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>A user's attributes and authenticators: one document in the user's hash slot.</summary>
public sealed record UserRecord
{
    public string? Email { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Username { get; init; }
    public string? DisplayName { get; init; }
    public JsonElement? Custom { get; init; }
    public IReadOnlyList<AuthenticatorRecord> Authenticators { get; init; } = [];

    /// <summary>Lifecycle events not yet delivered (see <see cref="LifecycleEvents"/>).</summary>
    public IReadOnlyList<OutboxEvent> Outbox { get; init; } = [];

    /// <summary>How many lifecycle events were ever written for this user; orders them for the outbox queue.</summary>
    public long OutboxSequence { get; init; }

    public static UserRecord Empty { get; } = new();

    public IEnumerable<AuthenticatorRecord> Verified => Authenticators.Where(a => a.IsVerified);

    public bool IsEnrolled => Verified.Any();

    public IReadOnlyList<string> EnrolledMethods(Tenant tenant) =>
        Verified.Select(a => a.VerificationMethod).Where(tenant.Allows).Distinct(StringComparer.Ordinal).ToArray();

    public string? DefaultMethod(Tenant tenant)
    {
        var verified = Verified.Where(a => tenant.Allows(a.VerificationMethod)).ToList();
        return (verified.FirstOrDefault(a => a.IsDefault) ?? verified.FirstOrDefault())?.VerificationMethod;
    }

    public AuthenticatorRecord? Find(string authenticatorId) =>
        Authenticators.FirstOrDefault(a => string.Equals(a.Id, authenticatorId, StringComparison.Ordinal));
}
