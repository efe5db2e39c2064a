using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tenants;

/// <summary>Refuses to start with a tenant list that would misbehave, naming the configuration key at fault.</summary>
public sealed partial class TenantsOptionsValidator : IValidateOptions<TenantsOptions>
{
    public const int MinSecretKeyLength = 32;
    private static readonly string[] Providers =
        [DeliveryProviders.Webhook, DeliveryProviders.Twilio, DeliveryProviders.Smtp, DeliveryProviders.Log];
    private static readonly string[] StepUpChannels = ["AUTHY", "BIOMETRIC"];

    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Tenants.Count == 0)
        {
            failures.Add("Tenants: no tenant is configured: set Tenants__0__Id and Tenants__0__SecretKeys__0 " +
                "(only a Development run without tenants comes up with the demo tenant).");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var at = $"Tenants__{i}__";
            if (string.IsNullOrWhiteSpace(tenant.Id) || tenant.Id.Length > 128 || tenant.Id.Any(char.IsControl))
            {
                failures.Add($"{at}Id must be 1 to 128 characters.");
            }
            else if (!ids.Add(tenant.Id))
            {
                failures.Add($"{at}Id '{tenant.Id}' is used by two tenants.");
            }
            if (tenant.SecretKeys.Count is 0 or > 2)
            {
                failures.Add($"{at}SecretKeys must hold one or two keys (two during a rotation).");
            }
            for (var k = 0; k < tenant.SecretKeys.Count; k++)
            {
                var key = tenant.SecretKeys[k];
                if (key is null || key.Length < MinSecretKeyLength)
                {
                    failures.Add($"{at}SecretKeys__{k} must be at least {MinSecretKeyLength} characters.");
                }
                else if (!keys.Add(key))
                {
                    failures.Add($"{at}SecretKeys__{k} is used twice.");
                }
            }
            foreach (var (channel, provider) in new[] { ("Sms", tenant.Delivery.Sms), ("WhatsApp", tenant.Delivery.WhatsApp), ("Email", tenant.Delivery.Email) })
            {
                if (!Providers.Contains(provider, StringComparer.Ordinal))
                {
                    failures.Add($"{at}Delivery__{channel} must be one of {string.Join(", ", Providers)}.");
                }
            }
            foreach (var method in tenant.VerificationMethods)
            {
                if (!VerificationMethods.Known.Contains(method, StringComparer.Ordinal))
                {
                    failures.Add($"{at}VerificationMethods: '{method}' is not one of {string.Join(", ", VerificationMethods.Known)}.");
                }
            }
            for (var k = 0; k < tenant.AllowedOrigins.Count; k++)
            {
                if (!WebOrigin.IsHttp(tenant.AllowedOrigins[k]))
                {
                    failures.Add($"{at}AllowedOrigins__{k} '{tenant.AllowedOrigins[k]}' must be a web origin: http or https, a host and an " +
                        "optional port, nothing after (no wildcard: calls with credentials are granted to an exact origin).");
                }
            }
            if (tenant.VerificationMethods.Intersect(VerificationMethods.WebAuthn, StringComparer.Ordinal).Any())
            {
                failures.AddRange(PasskeyOptionsValidator.Check(at, tenant.Passkeys));
            }
            foreach (var (action, outcome) in tenant.Actions)
            {
                if (!ActionOutcomes.All.Contains(outcome, StringComparer.Ordinal))
                {
                    failures.Add($"{at}Actions__{action} must be one of {string.Join(", ", ActionOutcomes.All)}.");
                }
            }
            foreach (var channel in tenant.StepUp.Channels)
            {
                if (!StepUpChannels.Contains(channel, StringComparer.Ordinal))
                {
                    failures.Add($"{at}StepUp__Channels: '{channel}' is not one of AUTHY, BIOMETRIC.");
                }
            }
            var limits = tenant.Limits;
            for (var k = 0; k < limits.PhonePrefixes.Count; k++)
            {
                if (!PhonePrefix().IsMatch(limits.PhonePrefixes[k] ?? ""))
                {
                    failures.Add($"{at}Limits__PhonePrefixes__{k} must be '+' and 1 to 6 digits, not starting with 0 (e.g. +44).");
                }
            }
            foreach (var (key, span) in new[]
            {
                ("OtpLifetime", limits.OtpLifetime), ("SendWindow", limits.SendWindow), ("VerifyWindow", limits.VerifyWindow),
                ("PushLifetime", limits.PushLifetime), ("PushWindow", limits.PushWindow), ("StepUpWindow", limits.StepUpWindow),
                ("IpWindow", limits.IpWindow), ("DeviceNonceWindow", limits.DeviceNonceWindow), ("ActionRetention", limits.ActionRetention),
                ("MagicLinkLifetime", limits.MagicLinkLifetime), ("MagicLinkPollWindow", limits.MagicLinkPollWindow),
            })
            {
                if (span <= TimeSpan.Zero)
                {
                    failures.Add($"{at}Limits__{key} must be positive.");
                }
            }
            foreach (var (key, cap) in new[]
            {
                ("MaxAuthenticatorsPerUser", limits.MaxAuthenticatorsPerUser), ("MaxAuthenticatorsPerMethod", limits.MaxAuthenticatorsPerMethod),
                ("MaxPushDevicesPerUser", limits.MaxPushDevicesPerUser), ("MagicLinkPollsPerWindow", limits.MagicLinkPollsPerWindow),
            })
            {
                if (cap < 1)
                {
                    failures.Add($"{at}Limits__{key} must be at least 1.");
                }
            }
            if (tenant.Push.CredentialLifetime <= TimeSpan.Zero)
            {
                failures.Add($"{at}Push__CredentialLifetime must be positive.");
            }
            failures.AddRange(tenant.HostedPage.Problems($"{at}HostedPage__"));
            if (tenant.WebhookUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
            {
                failures.Add($"{at}WebhookUrl must be an absolute http or https URL.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{0,5}$")]
    private static partial Regex PhonePrefix();
}
