using Challenges.Api.Http;

namespace Challenges.Api.Tenants;

/// <summary>
/// Each API family's conventions (credential, validation, tags, CORS, the error statuses it documents) sit on its route
/// group, so an endpoint adds only what is its own.
/// </summary>
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
}
