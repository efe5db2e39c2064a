using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Sessions;

/// <summary>Refuses session settings that would misbehave, naming the key at fault (<c>Tenants__N__Sessions__...</c>).</summary>
public sealed class SessionOptionsValidator : IValidateOptions<TenantsOptions>
{
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxRefreshTokenLifetime = TimeSpan.FromDays(365);
    public const int MaxSessionsCap = 1000;

    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var keyOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var sessions = tenant.Sessions;
            var at = $"Tenants__{i}__Sessions__";
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var m = 0; m < sessions.Clients.Count; m++)
            {
                var client = sessions.Clients[m];
                var key = $"{at}Clients__{m}__";
                if (!Validation.IsIdentifier(client.Id))
                {
                    failures.Add($"{key}Id must be 1 to {Validation.MaxIdLength} characters with no control characters.");
                }
                else if (!ids.Add(client.Id))
                {
                    failures.Add($"{key}Id '{client.Id}' names two app clients of the tenant.");
                }
                if (client.AccessTokenLifetime <= TimeSpan.Zero || client.AccessTokenLifetime > MaxAccessTokenLifetime)
                {
                    failures.Add($"{key}AccessTokenLifetime must be positive and at most {MaxAccessTokenLifetime:c}.");
                }
                if (client.RefreshTokenLifetime < client.AccessTokenLifetime || client.RefreshTokenLifetime > MaxRefreshTokenLifetime)
                {
                    failures.Add($"{key}RefreshTokenLifetime must be at least the AccessTokenLifetime and at most {MaxRefreshTokenLifetime:c}.");
                }
            }
            if (sessions.MaxSessionsPerUser is < 1 or > MaxSessionsCap)
            {
                failures.Add($"{at}MaxSessionsPerUser must be between 1 and {MaxSessionsCap}.");
            }
            for (var k = 0; k < sessions.SigningKeys.Count; k++)
            {
                var key = $"{at}SigningKeys__{k}";
                var (loaded, problem) = SessionKey.FromConfiguration(sessions.SigningKeys[k]);
                if (loaded is null)
                {
                    failures.Add($"{key} {problem}");
                }
                else if (k == 0 && !loaded.CanSign)
                {
                    failures.Add($"{key} must be a private key: the first key signs (public keys may follow, to verify only).");
                }
                else if (keyOwners.TryGetValue(loaded.Id, out var owner))
                {
                    failures.Add($"{key} is the same key as {owner}: a key may be listed once, by one tenant.");
                }
                else
                {
                    keyOwners[loaded.Id] = key;
                }
                // Only checked here; the key ring loads its own copy on first use.
                loaded?.SecurityKey.Rsa.Dispose();
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
