using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// A minimal RESP2 client for the generator's own Redis probes (INFO, SCAN, MEMORY USAGE, MONITOR). It keeps the
/// benchmark free of StackExchange.Redis, which only the server's Storage/ folder may use.
/// </summary>
internal sealed class RespClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
    }

    /// <summary>Connects to the first endpoint of a StackExchange.Redis style configuration (<c>host:port,password=...</c>).</summary>
    public static async Task<RespClient> ConnectAsync(string configuration)
    {
        var parts = configuration.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var endpoint = parts[0];
        var colon = endpoint.LastIndexOf(':');
        var host = colon < 0 ? endpoint : endpoint[..colon];
        var port = colon < 0 ? 6379 : int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture);
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port);
        var client = new RespClient(tcp);
        var password = parts.Skip(1).FirstOrDefault(p => p.StartsWith("password=", StringComparison.OrdinalIgnoreCase));
        if (password is not null)
        {
            await client.CommandAsync("AUTH", password["password=".Length..]);
        }
        return client;
    }

    /// <summary>Sends one command and reads its reply: string, long, null, or object?[] for arrays; an error reply throws.</summary>
    public async Task<object?> CommandAsync(params string[] args)
    {
        await SendAsync(args);
        return await ReadAsync();
    }

    public async Task SendAsync(params string[] args)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            builder.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(builder.ToString()));
    }

    public async Task<object?> ReadAsync()
    {
        var line = await _reader.ReadLineAsync() ?? throw new IOException("Redis closed the connection.");
        var rest = line[1..];
        switch (line[0])
        {
            case '+':
                return rest;
            case '-':
                throw new InvalidOperationException("Redis error: " + rest);
            case ':':
                return long.Parse(rest, CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }
                var buffer = new char[length];
                // Bulk strings here are ASCII text (INFO, key names), so chars and bytes agree.
                var read = 0;
                while (read < length)
                {
                    var n = await _reader.ReadAsync(buffer.AsMemory(read, length - read));
                    if (n == 0)
                    {
                        throw new IOException("Redis closed the connection.");
                    }
                    read += n;
                }
                await _reader.ReadLineAsync();
                return new string(buffer);
            case '*':
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }
                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadAsync();
                }
                return items;
            default:
                throw new InvalidOperationException("Unexpected RESP reply: " + line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _reader.Dispose();
        _tcp.Dispose();
    }
}
