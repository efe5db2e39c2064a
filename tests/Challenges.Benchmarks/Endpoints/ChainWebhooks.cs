using System.Collections.Concurrent;
using System.Text.Json;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// What the endpoint stages learn from the tenant's webhooks: the code each SMS start sent (<c>sms.created</c>, sent
/// before the start answers) and the action each push challenge belongs to (<c>push.created</c>, sent in the background).
/// </summary>
internal sealed class ChainWebhooks
{
    private readonly ConcurrentDictionary<(string UserId, string IdempotencyKey), string> _codes = new();
    private readonly ConcurrentDictionary<string, (string UserId, string IdempotencyKey)> _pushes = new(StringComparer.Ordinal);

    public void Accept(JsonElement root)
    {
        if (!root.TryGetProperty("type", out var type) || !root.TryGetProperty("data", out var data) ||
            Str(data, "userId") is not { } userId || Str(data, "idempotencyKey") is not { } key)
        {
            return;
        }
        if (type.GetString() == "sms.created" && Str(data, "code") is { } code)
        {
            _codes[(userId, key)] = code;
        }
        else if (type.GetString() == "push.created" && Str(data, "challengeId") is { } challengeId)
        {
            _pushes[challengeId] = (userId, key);
        }
    }

    public string? CodeFor(string userId, string idempotencyKey) => _codes.GetValueOrDefault((userId, idempotencyKey));

    /// <summary>Waits until every challenge has its <c>push.created</c>, or the timeout; returns those that have.</summary>
    public async Task<IReadOnlyList<PushChallenge>> PushesAsync(IReadOnlyList<string> challengeIds, TimeSpan timeout, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(challengeIds);
        var deadline = DateTime.UtcNow + timeout;
        while (challengeIds.Any(id => !_pushes.ContainsKey(id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancel);
        }
        return [.. challengeIds.Where(_pushes.ContainsKey).Select(id => new PushChallenge(id, _pushes[id].UserId, _pushes[id].IdempotencyKey))];
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

internal sealed record PushChallenge(string Id, string UserId, string IdempotencyKey);
