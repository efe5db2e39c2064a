using System.Text.Json;
using System.Text.Json.Nodes;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// The committed openapi/challenges.v1.json must equal the document the server generates: a contract change is a
/// deliberate regeneration (run the tests with UPDATE_OPENAPI=1), reviewed in the diff.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiFixture fixture)
{
    private static string CommittedPath() => Repository.PathOf("openapi", "challenges.v1.json");

    [Fact]
    public async Task Committed_document_matches_the_generated_one()
    {
        var generated = await fixture.AnonymousClient().GetStringAsync("/swagger/v1/swagger.json");
        var normalized = JsonNode.Parse(generated)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, normalized);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with UPDATE_OPENAPI=1 and commit it.");
        var committed = await File.ReadAllTextAsync(path);
        Assert.True(committed == normalized,
            "openapi/challenges.v1.json differs from the generated document. If the change is intended, run the tests with " +
            "UPDATE_OPENAPI=1 and review the diff.");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_documents_its_errors()
    {
        var document = JsonNode.Parse(await fixture.AnonymousClient().GetStringAsync("/swagger/v1/swagger.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (verb, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>()), $"{verb} {path} has no summary");
                var responses = operation["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("200"), $"{verb} {path} documents no 200");
                // Health and the JWKS (public keys) take no credential.
                var open = path.StartsWith("/health", StringComparison.Ordinal) || path.EndsWith("/.well-known/jwks.json", StringComparison.Ordinal);
                if (!open)
                {
                    Assert.True(responses.ContainsKey("401"), $"{verb} {path} documents no 401");
                }
                if (path.StartsWith("/v1/", StringComparison.Ordinal) && !open)
                {
                    Assert.True(operation["security"]?.AsArray().Count > 0, $"{verb} {path} names no credentials");
                }
            }
        }
    }
}
