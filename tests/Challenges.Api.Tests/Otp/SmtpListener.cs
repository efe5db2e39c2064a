using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>One message as the test's SMTP listener received it, with how the session was secured and authenticated.</summary>
public sealed record ReceivedMail(string Helo, string MailFrom, IReadOnlyList<string> RcptTo, string Data, bool Encrypted, string? AuthenticatedAs);

/// <summary>How the listener offers TLS: not at all, by STARTTLS, or from the first byte (implicit TLS, port 465 style).</summary>
public enum SmtpTls
{
    None,
    StartTls,
    Implicit,
}

/// <summary>
/// A small SMTP server on a loopback port: greets, accepts EHLO/HELO, STARTTLS, AUTH PLAIN and LOGIN, MAIL FROM,
/// RCPT TO, DATA (to the lone dot) and QUIT, and records each message. With <see cref="Username"/> set it requires AUTH
/// before MAIL. <see cref="RefuseRecipients"/> makes it answer RCPT with 550. Every command line is kept in
/// <see cref="Commands"/> (AUTH payloads included) so tests can check what a client sent before TLS.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ReceivedMail> _messages = [];
    private readonly List<(bool Encrypted, string Line)> _commands = [];
    private readonly Task _loop;

    public SmtpListener(SmtpTls tls = SmtpTls.None, TestCertificate? certificate = null)
    {
        if (tls != SmtpTls.None && certificate is null)
        {
            throw new ArgumentException("TLS needs a certificate.", nameof(certificate));
        }
        Tls = tls;
        Certificate = certificate;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public SmtpTls Tls { get; }
    public TestCertificate? Certificate { get; }

    public bool RefuseRecipients { get; set; }

    /// <summary>The AUTH mechanisms offered in EHLO (only after TLS when TLS is offered).</summary>
    public string AuthMechanisms { get; set; } = "PLAIN LOGIN";

    /// <summary>When set, AUTH must succeed with these credentials before MAIL.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public IReadOnlyList<ReceivedMail> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IReadOnlyList<(bool Encrypted, string Line)> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                {
                    // The client went away or refused our certificate: nothing to record.
                }
            });
        }
    }

    private async Task<SslStream> SecureAsync(Stream stream)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(Certificate!.Certificate);
        return ssl;
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Stream stream = client.GetStream();
            var encrypted = false;
            if (Tls == SmtpTls.Implicit)
            {
                stream = await SecureAsync(stream);
                encrypted = true;
            }
            var reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
            async Task Reply(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            async Task<string?> ReadLine()
            {
                var line = await reader.ReadLineAsync();
                if (line is not null)
                {
                    lock (_commands)
                    {
                        _commands.Add((encrypted, line));
                    }
                }
                return line;
            }
            string helo = "", from = "";
            string? user = null;
            var to = new List<string>();
            await Reply("220 test.smtp ESMTP ready");
            while (await ReadLine() is { } line)
            {
                var parts = line.Split(' ');
                switch (parts[0].ToUpperInvariant())
                {
                    case "EHLO":
                    case "HELO":
                        helo = line[5..];
                        await Reply("250-test.smtp greets " + helo);
                        if (Tls == SmtpTls.StartTls && !encrypted)
                        {
                            await Reply("250-STARTTLS");
                        }
                        if (Tls == SmtpTls.None || encrypted)
                        {
                            await Reply("250-AUTH " + AuthMechanisms);
                        }
                        await Reply("250 8BITMIME");
                        break;
                    case "STARTTLS" when Tls == SmtpTls.StartTls && !encrypted:
                        await Reply("220 2.0.0 Ready to start TLS");
                        reader.Dispose();
                        stream = await SecureAsync(stream);
                        reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
                        encrypted = true;
                        helo = "";
                        break;
                    case "AUTH":
                        user = await AuthenticateAsync(parts, ReadLine, Reply);
                        break;
                    case "MAIL":
                        if (Username is not null && user is null)
                        {
                            await Reply("530 5.7.0 Authentication required");
                            break;
                        }
                        from = line;
                        await Reply("250 OK");
                        break;
                    case "RCPT":
                        if (RefuseRecipients)
                        {
                            await Reply("550 No such user here");
                            break;
                        }
                        to.Add(line);
                        await Reply("250 OK");
                        break;
                    case "DATA":
                        await Reply("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append('\n');
                        }
                        lock (_messages)
                        {
                            _messages.Add(new ReceivedMail(helo, from, [.. to], data.ToString(), encrypted, user));
                        }
                        to.Clear();
                        await Reply("250 OK: queued");
                        break;
                    case "QUIT":
                        await Reply("221 Bye");
                        return;
                    default:
                        await Reply("502 Command not implemented");
                        break;
                }
            }
        }
    }

    /// <summary>AUTH PLAIN (initial response or after 334) and AUTH LOGIN; returns the user on success.</summary>
    private async Task<string?> AuthenticateAsync(string[] parts, Func<Task<string?>> readLine, Func<string, Task> reply)
    {
        static string Decode(string? base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64 ?? ""));
        var mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
        if (!AuthMechanisms.Split(' ').Contains(mechanism, StringComparer.Ordinal))
        {
            await reply("504 5.5.4 Unrecognized authentication type");
            return null;
        }
        string user, password;
        if (mechanism == "PLAIN")
        {
            var response = parts.Length > 2 ? parts[2] : null;
            if (response is null)
            {
                await reply("334 ");
                response = await readLine();
            }
            var fields = Decode(response).Split('\0');
            (user, password) = (fields[1], fields[2]);
        }
        else
        {
            if (parts.Length > 2)
            {
                user = Decode(parts[2]);
            }
            else
            {
                await reply("334 " + Convert.ToBase64String("Username:"u8));
                user = Decode(await readLine());
            }
            await reply("334 " + Convert.ToBase64String("Password:"u8));
            password = Decode(await readLine());
        }
        if (user == Username && password == Password)
        {
            await reply("235 2.7.0 Authentication successful");
            return user;
        }
        await reply("535 5.7.8 Authentication credentials invalid");
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
