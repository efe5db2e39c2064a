using System.Net;
using System.Text;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class ErrorBodyTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    [Fact]
    public async Task Unknown_route_is_not_found_with_the_contract_body()
    {
        await _server.GetAsync("/v1/nothing-here").Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Wrong_method_is_405_with_the_contract_body()
    {
        await _server.PutAsync($"/v1/users/{ApiFixture.NewUserId()}", null).Error(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Theory]
    [InlineData("{", "The request body is not valid JSON")]
    [InlineData("[]", "The request body is not valid JSON or is not an object")]
    [InlineData("\"text\"", "The request body is not valid JSON or is not an object")]
    [InlineData("""{"idempotencyKey": {"a": 1}}""", "idempotencyKey:")]
    [InlineData("""{"custom": {"a": """, "custom")]
    public async Task Malformed_json_is_a_400_naming_what_is_wrong(string body, string description)
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deeply_nested_json_is_a_400()
    {
        var body = "{\"custom\":" + new string('[', 5000) + new string(']', 5000) + "}";
        await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", body).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Body_over_64_KiB_is_413()
    {
        var body = "{\"userAgent\":\"" + new string('a', 70 * 1024) + "\"}";
        await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", body).Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Streamed_body_over_64_KiB_without_a_length_is_413()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"userAgent\":\"" + new string('a', 70 * 1024) + "\"}");
        using var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/users/{ApiFixture.NewUserId()}/actions/signIn") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await _server.SendAsync(request).Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Body_without_content_type_is_read_as_json()
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", """{"idempotencyKey":"no-type"}""", contentType: null).Ok();
        Assert.Equal("no-type", text.Str("idempotencyKey"));
    }

    [Fact]
    public async Task Body_sent_as_a_form_type_is_read_as_json()
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", """{"idempotencyKey":"form-type"}""",
            "application/x-www-form-urlencoded").Ok();
        Assert.Equal("form-type", text.Str("idempotencyKey"));
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", """{"idempotencyKey":"k","surprise":{"x":[1]}}""").Ok();
        Assert.Equal("k", text.Str("idempotencyKey"));
    }

    [Fact]
    public async Task Success_bodies_omit_absent_fields_instead_of_sending_null()
    {
        using var response = await _server.GetAsync($"/v1/users/{ApiFixture.NewUserId()}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("null", text, StringComparison.Ordinal);
    }
}
