using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>Operator-style configuration for server processes in the reliability tests.</summary>
public static class ProcessSettings
{
    public static Dictionary<string, string?> For(string redisConfiguration, Uri webhookUrl, params (string Key, string Value)[] extra)
    {
        var settings = TestTenants.Configuration(webhookUrl);
        settings["Redis:Configuration"] = redisConfiguration;
        settings["Outbox:PollInterval"] = "00:00:00.100";
        settings["Outbox:FirstDelay"] = "00:00:00.500";
        settings["Outbox:MaxDelay"] = "00:00:02";
        settings["Outbox:Lease"] = "00:00:03";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Asserts that captured logs hold none of the given secrets and nothing shaped like a client token.</summary>
    public static void AssertNoSecrets(string logs, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"The logs contain a secret ({secret[..Math.Min(6, secret.Length)]}…).");
        }
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{10,}\.eyJ", logs);
        Assert.DoesNotContain("v2=", logs, StringComparison.Ordinal);
    }
}
