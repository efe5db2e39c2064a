using System.Text;

namespace Challenges.Api.Storage;

/// <summary>
/// Walks the keys of the store that match a pattern, with SCAN on every master (never KEYS, which blocks Redis while it
/// runs). For maintenance commands an operator runs (<c>reindex-users</c>), never for a request: a request names the keys
/// it reads. Only the Redis store has it; the in-memory store lives inside one server process, out of any command's reach.
/// </summary>
public interface IKeyScan
{
    /// <summary>The masters a scan visits (endpoints, for the command's report).</summary>
    IReadOnlyList<string> Masters();

    /// <summary>
    /// Every key matching <paramref name="pattern"/> (Redis glob syntax, without <see cref="RedisOptions.KeyPrefix"/>,
    /// which is added and taken off here), master by master. A key that exists for the whole scan is returned at least
    /// once; one created or moved (a cluster resharding) meanwhile may be missed or returned twice.
    /// </summary>
    IAsyncEnumerable<string> ScanAsync(string pattern, CancellationToken cancellationToken = default);
}

/// <summary>Builds patterns for <see cref="IKeyScan"/>.</summary>
public static class KeyPattern
{
    /// <summary><paramref name="text"/> matched literally: the glob's special characters escaped.</summary>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
