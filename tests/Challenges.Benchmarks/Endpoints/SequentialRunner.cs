using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// Sends each request of a stage once, one at a time, with the same ok rule and capture as the wrk harness. It measures
/// nothing: it lets a test prove that the stages fit together against a server, where wrk is not installed.
/// </summary>
internal sealed class SequentialRunner(HttpClient http) : IStageRunner
{
    public string Description => "each request once, one at a time (HttpClient): a check of the stages, not a measurement";

    public async Task<StageResult> RunAsync(EndpointStage stage, TimeSpan duration, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(stage);
        long ok = 0;
        long bad = 0;
        string? firstBad = null;
        var captured = new List<string>();
        foreach (var r in stage.Requests)
        {
            using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
            if (r.Authorization is { Length: > 0 } auth)
            {
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(auth);
            }
            if (r.Body is { Length: > 0 } body)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            using var response = await http.SendAsync(request, cancel);
            var text = await response.Content.ReadAsStringAsync(cancel);
            if (response.StatusCode == HttpStatusCode.OK && text.Contains(stage.Expect, StringComparison.Ordinal))
            {
                ok++;
                if (stage.Capture is not null && Field(text, stage.Capture) is { } value)
                {
                    captured.Add(value);
                }
            }
            else
            {
                bad++;
                firstBad ??= $"{(int)response.StatusCode} {text}";
            }
        }
        return new StageResult(stage.Name, ok, bad, 0, null, captured, _ => true, firstBad);
    }

    private static string? Field(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
