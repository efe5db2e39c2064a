using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Challenges.Api.Delivery;

/// <summary>The webhook envelope of docs/contract.md §5.1, written compactly with its keys in the contract's order.</summary>
public static class WebhookEnvelope
{
    public static byte[] Write(string id, string source, DateTimeOffset time, string tenantId, string type,
        IEnumerable<KeyValuePair<string, string?>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("id", id);
            json.WriteString("source", source);
            json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("tenantId", tenantId);
            json.WriteString("type", type);
            json.WriteStartObject("data");
            foreach (var (key, value) in data)
            {
                if (value is not null)
                {
                    json.WriteString(key, value);
                }
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
