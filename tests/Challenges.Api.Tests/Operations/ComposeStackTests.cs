using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using YamlDotNet.RepresentationModel;

namespace Challenges.Api.Tests.Operations;

/// <summary>
/// docker-compose.yml as an operator meets it on a first <c>up</c>: the file is checked and resolved by docker-compose
/// itself (no engine needed for <c>config</c>), then the server's environment is replayed in a real process, with a
/// local Redis for the <c>redis</c> service and the test's SMTP listener for <c>mailpit</c>, and an email OTP is
/// completed with the code read from the mail, as README's walkthrough does.
/// </summary>
public sealed partial class ComposeStackTests
{
    private const string TenantSecret = "compose-tenant-secret-key-0123456789abcdef";

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public async Task The_compose_file_is_valid_and_its_server_completes_an_email_otp_through_mailpit_by_smtp()
    {
        var (exit, resolved) = await ComposeConfigAsync();
        Assert.True(exit == 0, "docker-compose config refused docker-compose.yml:\n" + resolved);
        var document = new YamlStream();
        document.Load(new StringReader(resolved));
        var services = (YamlMappingNode)((YamlMappingNode)document.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        Assert.Equal("redis:7", Scalar(services, "redis", "image"));
        Assert.Equal("axllent/mailpit", Scalar(services, "mailpit", "image"));
        var environment = ((YamlMappingNode)services.Children[new YamlScalarNode("challenges")]["environment"]).Children
            .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => (string?)((YamlScalarNode)e.Value).Value);
        Assert.Equal("redis:6379", environment["Redis__Configuration"]);
        Assert.Equal("mailpit", environment["Smtp__Host"]);

        // The services' host names become this machine's stand-ins.
        await using var redis = new RedisServer();
        await using var mailpit = new SmtpListener();
        environment["Redis__Configuration"] = redis.Configuration;
        environment["Smtp__Host"] = "127.0.0.1";
        environment["Smtp__Port"] = mailpit.Port.ToString(CultureInfo.InvariantCulture);
        await using var server = await ServerProcess.StartAsync(environment);

        // README: start an email OTP for the tenant, read the code in Mailpit, verify, claim, validate.
        using var backend = server.Client(TenantSecret);
        var email = OtpKit.NewEmail();
        var challengeId = (await backend.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email }).Ok())
            .Str("challengeId");
        var mail = Assert.Single(mailpit.Messages);
        Assert.StartsWith($"RCPT TO:<{email}>", Assert.Single(mail.RcptTo), StringComparison.Ordinal);
        var code = SixDigits().Match(mail.Data[mail.Data.IndexOf("\n\n", StringComparison.Ordinal)..]).Value;
        Assert.True((await backend.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok()).GetProperty("isVerified").GetBoolean());
        var token = (await backend.PostJson("/v1/claim", new { challengeId, userId = "alice" }).Ok()).Str("token");
        Assert.True((await backend.PostJson("/v1/validate", new { token }).Ok()).GetProperty("isValid").GetBoolean());

        // SMS is not offered by the stack's tenant (no webhook or Twilio): a clear 400, not a 502.
        await backend.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    private static async Task<(int Exit, string Output)> ComposeConfigAsync()
    {
        try
        {
            return await CommandLine.RunAsync("docker-compose", ["-f", Repository.PathOf("docker-compose.yml"), "config"],
                new Dictionary<string, string>
                {
                    ["TOKENS_SIGNING_KEY"] = "compose-token-signing-key-0123456789abcdef0123",
                    ["TENANT_SECRET_KEY"] = TenantSecret,
                });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "docker-compose was not found. This test checks docker-compose.yml with it (no Docker engine needed): install it with " +
                "'apt-get install -y docker-compose' (./test.sh does this for you).", e);
        }
    }
}
