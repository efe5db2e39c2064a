using System.Net.Security;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Challenges.Api.Delivery;

/// <summary>
/// The <c>Smtp</c> provider, through MailKit: implicit TLS or STARTTLS, AUTH when a user name is set (never over an
/// unencrypted connection), one message per connection, bounded by <see cref="SmtpOptions.Timeout"/>. Addresses reach
/// it validated, and MimeKit encodes headers, so nothing a caller sends can add a header or a command.
/// </summary>
public sealed partial class SmtpMailer(IOptions<SmtpOptions> options, TimeProvider time, ILogger<SmtpMailer> logger)
{
    private readonly RemoteCertificateValidationCallback? _trust = Http.CertificateTrust.FromPemFile(options.Value.CaCertificate);

    /// <summary>The subject of a magic link's email (<c>Smtp__LinkSubject</c>).</summary>
    public string LinkSubject => options.Value.LinkSubject;

    public Task<DeliveryOutcome> SendAsync(OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(message.To, options.Value.Subject, message.Text, cancellationToken);
    }

    /// <summary>One plain-text email to <paramref name="to"/>.</summary>
    public async Task<DeliveryOutcome> SendAsync(string to, string subject, string text, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.Timeout);
        var token = timeout.Token;
        using var client = new SmtpClient
        {
            Timeout = (int)o.Timeout.TotalMilliseconds,
            LocalDomain = Domain(o.From),
        };
        if (_trust is not null)
        {
            client.ServerCertificateValidationCallback = _trust;
        }
        try
        {
            await client.ConnectAsync(o.Host, o.Port, o.Security, token);
            if (o.Username.Length > 0)
            {
                if (!client.IsEncrypted)
                {
                    LogCleartext(logger);
                    return DeliveryOutcome.Failed("The SMTP connection is not encrypted, so the credentials were not sent (see Smtp__Security).");
                }
                await client.AuthenticateAsync(o.Username, o.Password, token);
            }
            await client.SendAsync(Compose(o, to, subject, text), token);
            await client.DisconnectAsync(quit: true, token);
            return DeliveryOutcome.Ok;
        }
        catch (SmtpCommandException e)
        {
            LogRefused(logger, (int)e.StatusCode);
            return DeliveryOutcome.Failed($"The SMTP server answered {(int)e.StatusCode}.");
        }
        catch (AuthenticationException)
        {
            LogAuthenticationFailed(logger);
            return DeliveryOutcome.Failed("The SMTP server refused the credentials (Smtp__Username, Smtp__Password).");
        }
        catch (SslHandshakeException)
        {
            LogUntrusted(logger);
            return DeliveryOutcome.Failed("The SMTP server's TLS certificate was not trusted (see Smtp__CaCertificate).");
        }
        catch (NotSupportedException)
        {
            // STARTTLS required but not offered, or a user name set for a server that offers no AUTH.
            LogUnsupported(logger);
            return DeliveryOutcome.Failed("The SMTP server does not offer what Smtp__Security or Smtp__Username ask for.");
        }
        catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, e.GetType().Name);
            return DeliveryOutcome.Failed("The SMTP server did not answer.");
        }
    }

    private static string Domain(string address) => address[(address.IndexOf('@', StringComparison.Ordinal) + 1)..];

    private MimeMessage Compose(SmtpOptions o, string to, string subject, string text)
    {
        var mail = new MimeMessage
        {
            Subject = subject,
            Date = time.GetUtcNow(),
            MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(Domain(o.From)),
            Body = new TextPart("plain") { Text = text },
        };
        mail.From.Add(MailboxAddress.Parse(o.From));
        mail.To.Add(MailboxAddress.Parse(to));
        return mail;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The SMTP server refused an email with reply {ReplyStatus}")]
    private static partial void LogRefused(ILogger logger, int replyStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The SMTP server refused the credentials in Smtp__Username and Smtp__Password")]
    private static partial void LogAuthenticationFailed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The SMTP server's TLS certificate is not trusted: install its CA in the system store or name it in Smtp__CaCertificate")]
    private static partial void LogUntrusted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The SMTP server does not offer STARTTLS (required by Smtp__Security) or AUTH (needed for Smtp__Username)")]
    private static partial void LogUnsupported(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The SMTP connection is not encrypted: credentials not sent. Set Smtp__Security to StartTls or SslOnConnect")]
    private static partial void LogCleartext(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email over SMTP failed: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string failure);
}
