using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Challenges.Api.PushDelivery;

/// <summary>What the push services' HTTP clients share: their connection pool, the answers' reading, the JSON.</summary>
public static class PushHttp
{
    /// <summary>The most of an answer's body read: the services' error bodies are a few hundred bytes.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    /// <summary>
    /// Payloads are JSON for the service, never HTML: non-ASCII text stays as UTF-8 (a title in Greek costs 2 bytes a
    /// letter, not 6), which keeps notifications well under the services' 4 KB.
    /// </summary>
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A named client with one connection pool for the life of the process (HTTP/2 multiplexes the sends, and more
    /// connections open when one is full), the service's timeout, and no redirect followed: a 3xx is a failed send.
    /// Its request logs are off, since an APNs path holds the device token.
    /// </summary>
    public static IHttpClientBuilder AddPushClient(this IServiceCollection services, string name, Func<PushProvidersOptions, PushServiceOptions> service) =>
        services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                EnableMultipleHttp2Connections = true,
                // Connections are renewed now and then, so that a change of the service's addresses is seen.
                PooledConnectionLifetime = TimeSpan.FromMinutes(30),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigureHttpClient((provider, client) =>
            {
                client.Timeout = service(provider.GetRequiredService<IOptions<PushProvidersOptions>>().Value).Timeout;
                client.MaxResponseContentBufferSize = MaxAnswerBytes;
            })
            .RemoveAllLoggers();

    /// <summary>A request body of <paramref name="payload"/> as JSON.</summary>
    public static HttpContent JsonBody(object payload) =>
        new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(payload, Json)) { Headers = { ContentType = new("application/json") } };

    /// <summary>The wait a <c>Retry-After</c> header asks for, in seconds or as a date; none when absent or past.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? header?.Date - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>The service's word for an outcome, fit for a log line (letters, digits, '_' and '-' only), else <c>HTTP status</c>.</summary>
    public static string Reason(string? word, int status) =>
        word is { Length: > 0 and <= 64 } && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? word : $"HTTP {status}";
}
