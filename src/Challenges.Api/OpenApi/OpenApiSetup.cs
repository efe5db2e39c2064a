namespace Challenges.Api.OpenApi;

/// <summary>
/// The OpenAPI document (committed as openapi/challenges.v1.json, the reference) and Swagger UI at /swagger, served
/// only when <c>OpenApi__Enabled</c> is true: by default in Development only, so a production server does not describe
/// itself to anyone who asks.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string EnabledKey = "OpenApi:Enabled";

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
        ArgumentNullException.ThrowIfNull(app);
        if (!(app.Configuration.GetValue<bool?>(EnabledKey) ?? app.Environment.IsDevelopment()))
        {
            return app;
        }
        app.UseSwagger();
        app.UseSwaggerUI(options => options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "Challenges v1"));
        return app;
    }
}
