using System.Text.Json;
using System.Text.Json.Nodes;
using Challenges.Api.Http;
using Challenges.Api.OpenApi;
using Challenges.Api.Tests.Infrastructure;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace Challenges.Api.Tests.Http;

/// <summary>Swagger UI's "Try it out" starts from the document's examples: each must pass the request's own validator.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiExamplesTests(ApiFixture fixture)
{
    [Fact]
    public void Every_request_example_passes_its_validator()
    {
        var examples = OpenApiExamples.Examples().ToList();
        Assert.NotEmpty(examples);
        foreach (var (type, example) in examples)
        {
            var request = example.Deserialize(type, JsonDefaults.Options)!;
            // The validator the endpoint filter finds, or (for a query type) the one its endpoint holds itself.
            var validator = (IValidator)(fixture.Factory.Services.GetService(typeof(IValidator<>).MakeGenericType(type))
                ?? Activator.CreateInstance(type.Assembly.GetType(type.FullName + "Validator", throwOnError: true)!)!);
            var result = validator.Validate(new ValidationContext<object>(request));
            Assert.True(result.IsValid, $"The {type.Name} example fails validation: {result}");
        }
    }

    [Fact]
    public async Task Every_request_body_and_path_parameter_in_the_document_has_an_example_and_every_field_a_description()
    {
        var document = JsonNode.Parse(await fixture.AnonymousClient().GetStringAsync("/swagger/v1/swagger.json"))!;
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (verb, operation) in item!.AsObject())
            {
                foreach (var parameter in operation!["parameters"]?.AsArray() ?? [])
                {
                    if (parameter!["in"]!.GetValue<string>() == "path" && parameter["name"]!.GetValue<string>() is "userId" or "action")
                    {
                        Assert.True(parameter["example"] is not null, $"{verb} {path}: path parameter {parameter["name"]} has no example");
                    }
                }
                if (operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() is not { } reference)
                {
                    continue;
                }
                var schema = schemas[reference.Split('/')[^1]]!;
                Assert.True(schema["example"] is not null, $"{verb} {path}: the request body {reference} has no example");
                foreach (var (name, property) in schema["properties"]!.AsObject())
                {
                    Assert.False(string.IsNullOrWhiteSpace(property!["description"]?.GetValue<string>()), $"{reference}: {name} has no description");
                }
            }
        }
    }
}
