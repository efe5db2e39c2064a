using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>Reading answers and asserting the contract's error body.</summary>
public static class HttpAssertions
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(text), $"Empty body with status {(int)response.StatusCode}.");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a 200 and returns its JSON body.</summary>
    public static async Task<JsonElement> Ok(this Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts the status and the contract's error body with <paramref name="code"/>; returns the description.</summary>
    public static async Task<string> Error(this Task<HttpResponseMessage> call, HttpStatusCode status, string code)
    {
        using var response = await call;
        return await response.AssertError(status, code);
    }

    public static async Task<string> AssertError(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, json.GetProperty("error").GetString());
        Assert.Equal(code, json.GetProperty("errorCode").GetString());
        var description = json.GetProperty("errorDescription").GetString();
        Assert.False(string.IsNullOrWhiteSpace(description));
        return description!;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, object? body) =>
        client.PostAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string path, string body, string? contentType = "application/json")
    {
        var content = new StringContent(body);
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return client.PostAsync(path, content);
    }

    /// <summary>A JSON POST whose body is streamed (chunked), announcing no length.</summary>
    public static HttpRequestMessage StreamedPost(string path, string body)
    {
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string path, object body) =>
        client.PatchAsJsonAsync(path, body);

    public static string Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.GetString() ?? throw new InvalidOperationException($"{name} is null") : throw new KeyNotFoundException(name);

    public static bool Has(this JsonElement e, string name) => e.TryGetProperty(name, out _);
}
