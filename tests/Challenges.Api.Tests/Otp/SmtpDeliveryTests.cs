using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>
/// Email OTP through MailKit against a local SMTP listener: a plain relay, STARTTLS and implicit TLS with a self-signed
/// certificate made for the test, AUTH PLAIN and LOGIN, and the refusals that keep credentials and codes safe.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class SmtpDeliveryTests(ApiFixture fixture) : IDisposable
{
    private const string From = "no-reply@challenges.test";
    private const string User = "relay-user";
    private const string Password = "relay-password-for-tests";
    private readonly TestCertificate _certificate = new();

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();

    public void Dispose() => _certificate.Dispose();

    private ChallengesFactory Server(SmtpListener smtp, params (string Key, string Value)[] settings)
    {
        var extra = new Dictionary<string, string?>
        {
            ["Tenants:0:Delivery:Email"] = "Smtp",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:From"] = From,
        };
        foreach (var (key, value) in settings)
        {
            extra[key] = value;
        }
        return new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock, extra);
    }

    private (string, string)[] Tls(string security) =>
        [("Smtp:Security", security), ("Smtp:CaCertificate", _certificate.CertificatePath), ("Smtp:Username", User), ("Smtp:Password", Password)];

    private static async Task<(HttpClient Client, string ChallengeId, string Email)> StartAsync(ChallengesFactory factory)
    {
        var client = factory.CreateClientWithKey();
        var email = OtpKit.NewEmail();
        var started = await client.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email }).Ok();
        return (client, started.Str("challengeId"), email);
    }

    private static async Task AssertCodeVerifies(HttpClient client, string challengeId, ReceivedMail mail)
    {
        var body = mail.Data[(mail.Data.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        var code = SixDigits().Match(body).Value;
        var verified = await client.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
    }

    private static Task<string> AssertRefused(ChallengesFactory factory) =>
        factory.CreateClientWithKey().PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email = OtpKit.NewEmail() })
            .Error(HttpStatusCode.BadGateway, "delivery_failed");

    [Fact]
    public async Task Smtp_delivers_email_otp_through_a_plain_relay()
    {
        await using var smtp = new SmtpListener();
        await using var factory = Server(smtp);

        var (client, challengeId, email) = await StartAsync(factory);

        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("challenges.test", mail.Helo);
        Assert.StartsWith($"MAIL FROM:<{From}>", mail.MailFrom, StringComparison.Ordinal);
        Assert.StartsWith($"RCPT TO:<{email}>", Assert.Single(mail.RcptTo), StringComparison.Ordinal);
        Assert.Contains($"To: {email}\n", mail.Data, StringComparison.Ordinal);
        Assert.Contains($"From: {From}\n", mail.Data, StringComparison.Ordinal);
        Assert.Contains("Subject: Your verification code\n", mail.Data, StringComparison.Ordinal);
        Assert.Contains("@challenges.test>\n", mail.Data, StringComparison.Ordinal);
        Assert.False(mail.Encrypted);
        Assert.Null(mail.AuthenticatedAs);
        await AssertCodeVerifies(client, challengeId, mail);
        Assert.Equal(0, OtpKit.CountDeliveries(fixture.Webhooks, "email.created", email));
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task Smtp_with_starttls_authenticates_and_delivers_inside_tls(string mechanism)
    {
        await using var smtp = new SmtpListener(SmtpTls.StartTls, _certificate) { AuthMechanisms = mechanism, Username = User, Password = Password };
        await using var factory = Server(smtp, Tls("StartTls"));

        var (client, challengeId, _) = await StartAsync(factory);

        var mail = Assert.Single(smtp.Messages);
        Assert.True(mail.Encrypted);
        Assert.Equal(User, mail.AuthenticatedAs);
        Assert.Contains(smtp.Commands, c => c is { Encrypted: true } && c.Line.StartsWith("AUTH " + mechanism, StringComparison.Ordinal));
        Assert.DoesNotContain(smtp.Commands, c => !c.Encrypted && !c.Line.StartsWith("EHLO", StringComparison.Ordinal) && c.Line != "STARTTLS");
        await AssertCodeVerifies(client, challengeId, mail);
    }

    [Fact]
    public async Task Smtp_with_implicit_tls_authenticates_and_delivers()
    {
        await using var smtp = new SmtpListener(SmtpTls.Implicit, _certificate) { Username = User, Password = Password };
        await using var factory = Server(smtp, Tls("SslOnConnect"));

        var (client, challengeId, _) = await StartAsync(factory);

        var mail = Assert.Single(smtp.Messages);
        Assert.True(mail.Encrypted);
        Assert.Equal(User, mail.AuthenticatedAs);
        await AssertCodeVerifies(client, challengeId, mail);
    }

    [Fact]
    public async Task An_smtp_refusal_is_a_delivery_failure()
    {
        await using var smtp = new SmtpListener { RefuseRecipients = true };
        await using var factory = Server(smtp);

        var description = await AssertRefused(factory);

        Assert.Contains("550", description, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Wrong_smtp_credentials_are_a_delivery_failure_naming_the_settings()
    {
        await using var smtp = new SmtpListener(SmtpTls.StartTls, _certificate) { Username = User, Password = "another-password" };
        await using var factory = Server(smtp, Tls("StartTls"));

        var description = await AssertRefused(factory);

        Assert.Contains("Smtp__Username", description, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Smtp_credentials_are_never_sent_over_an_unencrypted_connection()
    {
        // A relay (or a man in the middle) that offers AUTH but no STARTTLS: the password must not leave in clear text.
        await using var smtp = new SmtpListener { Username = User, Password = Password };
        await using var factory = Server(smtp, ("Smtp:Security", "Auto"), ("Smtp:Username", User), ("Smtp:Password", Password));

        var description = await AssertRefused(factory);

        Assert.Contains("not encrypted", description, StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Commands, c => c.Line.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task A_stripped_starttls_does_not_downgrade_a_required_tls_session()
    {
        // The server does not offer STARTTLS (as when an attacker strips it from the EHLO reply): no code goes out in clear.
        await using var smtp = new SmtpListener();
        await using var factory = Server(smtp, ("Smtp:Security", "StartTls"));

        var description = await AssertRefused(factory);

        Assert.Contains("Smtp__Security", description, StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Commands, c => c.Line.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task An_smtp_server_with_an_untrusted_certificate_gets_neither_credentials_nor_codes()
    {
        // Without Smtp__CaCertificate the self-signed certificate is just an impostor's.
        await using var smtp = new SmtpListener(SmtpTls.StartTls, _certificate) { Username = User, Password = Password };
        await using var factory = Server(smtp, ("Smtp:Security", "StartTls"), ("Smtp:Username", User), ("Smtp:Password", Password));

        var description = await AssertRefused(factory);

        Assert.Contains("Smtp__CaCertificate", description, StringComparison.Ordinal);
        Assert.DoesNotContain(smtp.Commands, c => c.Encrypted);
        Assert.Empty(smtp.Messages);
    }
}
