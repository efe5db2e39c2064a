using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenges.Api.Http;

/// <summary>The JSON rules of docs/contract.md §1.1: camelCase, absent optional fields omitted.</summary>
public static class JsonDefaults
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Numbers in strings and other leniencies stay off: a wrong type is a 400 naming the field.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 32;
        // API answers are JSON, never HTML: '+' in a phone number stays '+'.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new UtcTimeConverter());
        return options;
    }
}
