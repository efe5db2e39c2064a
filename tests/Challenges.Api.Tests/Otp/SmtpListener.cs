using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Challenges.Api.Tests.Otp;

/// <summary>One message as the test's SMTP listener received it.</summary>
public sealed record ReceivedMail(string Helo, string MailFrom, IReadOnlyList<string> RcptTo, string Data);

/// <summary>
/// A small SMTP server on a loopback port: greets, accepts EHLO/HELO, MAIL FROM, RCPT TO, DATA (to the lone dot) and
/// QUIT, and records each message. <see cref="RefuseRecipients"/> makes it answer RCPT with 550.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ReceivedMail> _messages = [];
    private readonly Task _loop;

    public SmtpListener()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public bool RefuseRecipients { get; set; }

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
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
            async Task Reply(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            string helo = "", from = "";
            var to = new List<string>();
            await Reply("220 test.smtp ESMTP ready");
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        helo = line[5..];
                        await Reply("250-test.smtp greets " + helo);
                        await Reply("250 8BITMIME");
                        break;
                    case "MAIL":
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
                            _messages.Add(new ReceivedMail(helo, from, [.. to], data.ToString()));
                        }
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
