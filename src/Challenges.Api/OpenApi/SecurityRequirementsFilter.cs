using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Challenges.Api.OpenApi;

/// <summary>
/// Names each operation's credentials in the OpenAPI document, from the authorization policy of its route group, so
/// Swagger UI's "Authorize" works and readers see which key an endpoint takes.
/// </summary>
public sealed class SecurityRequirementsFilter : IOperationFilter
{
    public const string SecretKey = "secretKey";
    public const string ClientToken = "clientToken";
    public const string TenantId = "tenantId";

    public static void Define(SwaggerGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddSecurityDefinition(SecretKey, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "Server API: the tenant secret key as the user name, an empty password.",
        });
        options.AddSecurityDefinition(ClientToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Client API: the token returned by track (or a fresh accessToken from a verify).",
        });
        options.AddSecurityDefinition(TenantId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "Device API and token-less web calls: the tenant id as the user name.",
        });
        options.OperationFilter<SecurityRequirementsFilter>();
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy);
        var schemes = policies.SelectMany(policy => policy switch
        {
            AuthSchemes.ServerPolicy => [SecretKey],
            AuthSchemes.ClientPolicy => [ClientToken],
            AuthSchemes.DevicePolicy => [TenantId],
            AuthSchemes.ClientOrTenantPolicy => new[] { ClientToken, TenantId },
            _ => [],
        }).Distinct().ToList();
        if (schemes.Count == 0)
        {
            return;
        }
        // Each alternative is a requirement of its own (logical OR).
        operation.Security = schemes
            .Select(scheme => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] })
            .ToList();
    }
}
