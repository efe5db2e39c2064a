using Challenges.Api.Tenants;

namespace Challenges.Api.Http;

/// <summary>The conventions of each API family, put on its route groups (STYLE.md 4).</summary>
public static class RouteGroups
{
    /// <summary>Server API: secret-key Basic, validation, tagged for OpenAPI.</summary>
    public static RouteGroupBuilder ServerApi(this RouteGroupBuilder group, string tag) =>
        group.RequireAuthorization(AuthSchemes.ServerPolicy).WithValidation().WithTags(tag)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);

    /// <summary>Client API with a client token.</summary>
    public static RouteGroupBuilder ClientApi(this RouteGroupBuilder group, string tag) =>
        group.RequireAuthorization(AuthSchemes.ClientPolicy).WithValidation().WithTags(tag).RequireCors(CorsSetup.ClientPolicy)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);

    /// <summary>Device API: tenant Basic.</summary>
    public static RouteGroupBuilder DeviceApi(this RouteGroupBuilder group, string tag) =>
        group.RequireAuthorization(AuthSchemes.DevicePolicy).WithValidation().WithTags(tag)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);

    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorResponse), ["application/json"]));
        }
        return builder;
    }
}
