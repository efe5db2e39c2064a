using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Delivery;

/// <summary>
/// The <c>Smtp</c> provider: one plain SMTP conversation (EHLO, MAIL FROM, RCPT TO, DATA, QUIT) over a
/// <see cref="TcpClient"/>, bounded by <see cref="SmtpOptions.Timeout"/>. Addresses reach it validated (no line
/// breaks), so nothing a caller sends can add a header or a command.
/// </summary>
public sealed partial class SmtpMailer(IOptions<SmtpOptions> options, TimeProvider time, ILogger<SmtpMailer> logger)
{
    public async Task<DeliveryOutcome> SendAsync(OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.Timeout);
        var token = timeout.Token;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(o.Host, o.Port, token);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            await ExpectAsync(reader, 220, token);
            var domain = o.From[(o.From.IndexOf('@', StringComparison.Ordinal) + 1)..];
            await CommandAsync(stream, reader, $"EHLO {domain}", 250, token);
            await CommandAsync(stream, reader, $"MAIL FROM:<{o.From}>", 250, token);
            await CommandAsync(stream, reader, $"RCPT TO:<{message.To}>", 250, token);
            await CommandAsync(stream, reader, "DATA", 354, token);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Content(o, message, domain) + "\r\n.\r\n"), token);
            await ExpectAsync(reader, 250, token);
            await CommandAsync(stream, reader, "QUIT", 221, token);
            return DeliveryOutcome.Ok;
        }
        catch (SmtpRefusedException e)
        {
            LogRefused(logger, e.ReplyStatus);
            return DeliveryOutcome.Failed($"The SMTP server answered {e.ReplyStatus}.");
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, e.GetType().Name);
            return DeliveryOutcome.Failed("The SMTP server did not answer.");
        }
    }

    private string Content(SmtpOptions o, OtpMessage message, string domain)
    {
        var date = time.GetUtcNow().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        var body = string.Join("\r\n", message.Text.Split('\n').Select(line => line.TrimEnd('\r'))
            .Select(line => line.StartsWith('.') ? "." + line : line));
        return $"From: <{o.From}>\r\n" +
               $"To: <{message.To}>\r\n" +
               $"Subject: {o.Subject}\r\n" +
               $"Date: {date}\r\n" +
               $"Message-ID: <{Guid.NewGuid():N}@{domain}>\r\n" +
               "MIME-Version: 1.0\r\n" +
               "Content-Type: text/plain; charset=utf-8\r\n" +
               "Content-Transfer-Encoding: 8bit\r\n" +
               "\r\n" +
               body;
    }

    private static async Task CommandAsync(NetworkStream stream, StreamReader reader, string command, int expected, CancellationToken token)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), token);
        await ExpectAsync(reader, expected, token);
    }

    /// <summary>Reads one reply (continuation lines are "250-...", the last "250 ...") and checks its code.</summary>
    private static async Task ExpectAsync(StreamReader reader, int expected, CancellationToken token)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(token) ?? throw new IOException("The SMTP server closed the connection.");
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new IOException("The SMTP server sent an unreadable reply.");
            }
            if (line.Length > 3 && line[3] == '-')
            {
                continue;
            }
            // 251 (user not local; will forward) is as good as 250 for RCPT.
            if (code != expected && !(expected == 250 && code == 251))
            {
                throw new SmtpRefusedException(code);
            }
            return;
        }
    }

    private sealed class SmtpRefusedException(int replyStatus) : Exception($"SMTP reply {replyStatus}")
    {
        public int ReplyStatus { get; } = replyStatus;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The SMTP server refused an email OTP with reply {ReplyStatus}")]
    private static partial void LogRefused(ILogger logger, int replyStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email OTP over SMTP failed: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string failure);
}
