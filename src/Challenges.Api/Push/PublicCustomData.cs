using System.Text.Json;
using System.Text.Json.Nodes;

namespace Challenges.Api.Push;

/// <summary>
/// What of the action's and the user's custom data a device may see (<c>Tenants__N__Push__PublicCustomData__i</c>):
/// only the keys the tenant lists. With no list, the action's custom data goes whole (the backend tracked it for the
/// device to show) and the user's not at all.
/// </summary>
public static class PublicCustomData
{
    /// <summary>
    /// The public part of <paramref name="data"/>: its listed keys, or all of it when nothing is listed and
    /// <paramref name="whole"/>; null when nothing remains.
    /// </summary>
    public static JsonElement? Of(JsonElement? data, ICollection<string> publicKeys, bool whole)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        if (data is not { ValueKind: JsonValueKind.Object } custom)
        {
            return null;
        }
        if (publicKeys.Count == 0)
        {
            return whole ? custom : null;
        }
        var kept = new JsonObject();
        foreach (var property in custom.EnumerateObject().Where(p => publicKeys.Contains(p.Name)))
        {
            kept[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        return kept.Count == 0 ? null : JsonSerializer.SerializeToElement(kept);
    }
}
