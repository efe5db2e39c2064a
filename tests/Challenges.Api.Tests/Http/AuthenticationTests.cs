using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(ApiFixture fixture)
{
    private async Task<HttpResponseMessage> GetUserWith(string? scheme, string? value)
    {
        var client = fixture.AnonymousClient();
        if (scheme is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, value);
        }
        return await client.GetAsync($"/v1/users/{ApiFixture.NewUserId()}");
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("padded base64 with colon (server SDKs, Android)")]
    [InlineData("unpadded base64url with colon (iOS)")]
    [InlineData("percent-encoded without colon (web SDK)")]
    public async Task Secret_key_is_accepted_in_every_basic_spelling(string spelling)
    {
        var value = spelling switch
        {
            var s when s.StartsWith("padded", StringComparison.Ordinal) => B64(TestTenants.AKey + ":"),
            var s when s.StartsWith("unpadded", StringComparison.Ordinal) => B64(TestTenants.AKey + ":").TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            _ => B64(Uri.EscapeDataString(TestTenants.AKey)),
        };
        using var response = await GetUserWith("Basic", value);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Both_keys_of_a_rotation_are_accepted()
    {
        await fixture.ServerClient(TestTenants.AKeyRotated).GetAsync($"/v1/users/{ApiFixture.NewUserId()}").Ok();
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Basic", "")]
    [InlineData("Basic", "%%%")]
    [InlineData("Basic", "dGVuYW50LWE6")]
    [InlineData("Basic", "d3Jvbmcta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5Og==")]
    [InlineData("Bearer", "abc")]
    [InlineData("Digest", "abc")]
    public async Task Server_api_without_a_valid_secret_key_is_unauthorized(string? scheme, string? value)
    {
        using var response = await GetUserWith(scheme, value);
        await response.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public void Basic_decoding_matches_the_independent_vectors()
    {
        var vectors = System.Text.Json.JsonDocument.Parse(File.ReadAllText(VectorFiles.Path("encodings.json"))).RootElement.GetProperty("basicAuth");
        var tenantId = vectors.Str("tenantId");
        Assert.Equal(tenantId, BasicCredentials.Decode(vectors.Str("web")));
        Assert.Equal(tenantId, BasicCredentials.Decode(vectors.Str("ios")));
        Assert.Equal(tenantId, BasicCredentials.Decode(vectors.Str("android")));
        Assert.Equal(vectors.Str("secretKey"), BasicCredentials.Decode(vectors.Str("serverSdk")));
    }

    [Theory]
    [InlineData("Basic !!!!")]
    [InlineData("Basic /w==")]
    [InlineData("Basic Og==")]
    [InlineData("Bearer dGVuYW50LWE6")]
    public void Basic_decoding_refuses_what_is_not_a_credential(string header)
    {
        Assert.Null(BasicCredentials.Decode(header));
    }
}
