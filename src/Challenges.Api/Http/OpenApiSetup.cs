namespace Challenges.Api.Http;

/// <summary>The OpenAPI document (committed as openapi/challenges.v1.json) and Swagger UI at /swagger.</summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddContractDocument(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new()
            {
                Title = "Challenges",
                Version = "v1",
                Description = "Multi-factor challenge server speaking the Authsignal Server API, Client API and mobile device API.",
            });
            options.CustomSchemaIds(type => type.FullName!.Replace("Challenges.Api.", "", StringComparison.Ordinal).Replace('+', '.'));
            options.SupportNonNullableReferenceTypes();
            SecurityRequirementsFilter.Define(options);
            options.SchemaFilter<OpenApiExamples>();
            options.ParameterFilter<OpenApiExamples>();
        });
        return services;
    }

    public static WebApplication UseContractDocument(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options => options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "Challenges v1"));
        return app;
    }
}
