using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenges.Api.Http;

/// <summary>Writes times as ISO-8601 UTC with milliseconds and <c>Z</c> (docs/contract.md §1.1).</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TryGetDateTimeOffset(out var value) ? value : throw new JsonException("Expected an ISO-8601 time.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
