using System.Diagnostics;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>A 3-master Redis Cluster on loopback ports, made with redis-server --cluster-enabled and redis-cli --cluster create.</summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly List<RedisServer> _nodes = [];

    private RedisCluster()
    {
    }

    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>A StackExchange.Redis connection string naming every node.</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.Configuration));

    public static async Task<RedisCluster> StartAsync()
    {
        var cluster = new RedisCluster();
        try
        {
            return await cluster.CreateAsync();
        }
        catch
        {
            // Nodes that started before the failure would otherwise outlive the test run.
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task<RedisCluster> CreateAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(new RedisServer("--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{Guid.NewGuid():N}.conf",
                "--cluster-node-timeout", "5000"));
        }
        var cli = Path.Combine(Path.GetDirectoryName(RedisServer.Executable())!, "redis-cli");
        var info = new ProcessStartInfo(File.Exists(cli) ? cli : "redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--cluster");
        info.ArgumentList.Add("create");
        foreach (var node in _nodes)
        {
            info.ArgumentList.Add(node.Configuration);
        }
        info.ArgumentList.Add("--cluster-replicas");
        info.ArgumentList.Add("0");
        info.ArgumentList.Add("--cluster-yes");
        using var create = Process.Start(info)!;
        var output = await create.StandardOutput.ReadToEndAsync() + await create.StandardError.ReadToEndAsync();
        await create.WaitForExitAsync();
        if (create.ExitCode != 0 || !output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed:\n{output}");
        }
        await WaitUntilOkAsync(cli, _nodes);
        return this;
    }

    private static async Task WaitUntilOkAsync(string cli, IEnumerable<RedisServer> nodes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var node in nodes)
        {
            while (true)
            {
                var info = new ProcessStartInfo(cli) { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in new[] { "-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "cluster", "info" })
                {
                    info.ArgumentList.Add(a);
                }
                using var p = Process.Start(info)!;
                var text = await p.StandardOutput.ReadToEndAsync();
                await p.WaitForExitAsync();
                if (text.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Cluster node {node.Port} is not ok:\n{text}");
                }
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
