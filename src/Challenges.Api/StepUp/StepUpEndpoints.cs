using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Challenges.Api.StepUp;

/// <summary>
/// Step-up push (CONTRACT.md 4), with this API's own response shapes. Callers authenticate with a client token
/// (the logged-in user) or with the <c>api-key</c> header holding a tenant secret key plus the user named in the
/// request (ours).
/// </summary>
public static class StepUpEndpoints
{
    public const string ApiKeyHeader = "api-key";
    public const string ReferenceHeader = "idempotency-ref";

    public static IServiceCollection AddStepUp(this IServiceCollection services)
    {
        services.AddSingleton<StepUpService>();
        return services;
    }

    public static IEndpointRouteBuilder MapStepUp(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/stepup/challenges").WithTags("Step-up")
            .Describes<StepUpError, RouteGroupBuilder>(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError, StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/push/{channel}", Start)
            .WithSummary("Issue a push notification that can be used to step up a token (BIOMETRIC: the push device credential).")
            .Produces<StepUpSyntaxError>(StatusCodes.Status400BadRequest)
            .Produces<StepUpError>(StatusCodes.Status405MethodNotAllowed)
            .Produces<StepUpConflict>(StatusCodes.Status409Conflict);
        group.MapGet("/{id}", Get)
            .WithSummary("A step-up's status; once approved, the step-up token (acr stepup), handed out once.")
            .Produces<StepUpSyntaxError>(StatusCodes.Status400BadRequest)
            .Produces<StepUpError>(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<StepUpStarted>, JsonHttpResult<StepUpSyntaxError>, JsonHttpResult<StepUpConflict>, JsonHttpResult<StepUpError>>>
        Start(string channel, [FromHeader(Name = ReferenceHeader)] string? reference, HttpContext context, TenantRegistry tenants,
            TokenService tokens, StepUpService service, ClientAddress address)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        JsonElement? body = null;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Reported below, after authentication.
        }

        var caller = await AuthenticateAsync(context, tenants, tokens);
        if (caller.Error is { } unauthorized)
        {
            return Error(context, unauthorized);
        }
        var invalid = new List<StepUpInvalidField>();
        if (!StepUpChannels.All.Contains(channel, StringComparer.Ordinal))
        {
            invalid.Add(new StepUpInvalidField("channel", StepUpFieldErrors.In, StepUpChannels.All));
        }
        var bodyIsObject = string.IsNullOrWhiteSpace(text) || body is { ValueKind: JsonValueKind.Object };
        var named = body is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("userId", out var u) ? u : (JsonElement?)null;
        var userId = CheckUserId(named, required: caller.UserId is null, invalid);
        reference ??= "";
        if (reference.Length > Validation.MaxIdLength || reference.Any(char.IsControl))
        {
            invalid.Add(new StepUpInvalidField(ReferenceHeader, StepUpFieldErrors.Size, ["1", Validation.MaxIdLength.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        }
        if (!bodyIsObject || invalid.Count > 0)
        {
            return TypedResults.Json(new StepUpSyntaxError(bodyIsObject ? "The request has invalid fields." : "The body must be a JSON object.",
                new StepUpSyntaxErrors(invalid)), statusCode: StatusCodes.Status400BadRequest);
        }
        if (caller.UserId is not null && userId is not null && userId != caller.UserId)
        {
            return Error(context, ApiError.Forbidden("A client token can step up only its own user."));
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"POST /stepup/challenges/push/{channel}\n{(body is { } b ? JsonSerializer.Serialize(b) : "{}")}")));
        var userAgent = context.Request.Headers.UserAgent.ToString();
        var origin = new PushService.RequestContext(address.Of(context), userAgent.Length is > 0 and <= 1024 ? userAgent : null);
        var reply = await service.StartAsync(caller.Tenant!, caller.UserId ?? userId!, caller.Token, channel,
            reference.Length == 0 ? null : reference, fingerprint, origin);
        return reply switch
        {
            { Id: { } id } => TypedResults.Ok(new StepUpStarted(id)),
            { ErrorCode: { } code } => TypedResults.Json(new StepUpConflict(code), statusCode: StatusCodes.Status409Conflict),
            _ => Error(context, reply.Error!),
        };
    }

    public static async Task<Results<Ok<StepUpStatusResponse>, JsonHttpResult<StepUpSyntaxError>, JsonHttpResult<StepUpError>>> Get(
        string id, string? userId, HttpContext context, TenantRegistry tenants, TokenService tokens, StepUpService service)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = await AuthenticateAsync(context, tenants, tokens);
        if (caller.Error is { } unauthorized)
        {
            return Error(context, unauthorized);
        }
        var invalid = new List<StepUpInvalidField>();
        var named = userId is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(userId);
        var user = caller.UserId ?? CheckUserId(named, required: true, invalid);
        if (Ids.Check(id, "id") is not null)
        {
            invalid.Add(new StepUpInvalidField("id", StepUpFieldErrors.Size, ["1", "256"]));
        }
        if (invalid.Count > 0)
        {
            return TypedResults.Json(new StepUpSyntaxError("The request has invalid fields.", new StepUpSyntaxErrors(invalid)),
                statusCode: StatusCodes.Status400BadRequest);
        }
        var (status, error) = await service.GetAsync(caller.Tenant!, user!, id);
        return error is not null ? Error(context, error) : TypedResults.Ok(status!);
    }

    /// <summary>Documents this API's own error shapes (the contract error body does not apply here).</summary>
    private static TBuilder Describes<TBody, TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(TBody), ["application/json"]));
        }
        return builder;
    }

    private static string? CheckUserId(JsonElement? value, bool required, List<StepUpInvalidField> invalid)
    {
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                invalid.Add(new StepUpInvalidField("userId", StepUpFieldErrors.Required, []));
            }
            return null;
        }
        var text = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : null;
        if (text is null || Ids.Check(text, "userId") is not null)
        {
            invalid.Add(new StepUpInvalidField("userId", StepUpFieldErrors.Size,
                ["1", Validation.MaxIdLength.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            return null;
        }
        return text;
    }

    private sealed record Authenticated(Tenant? Tenant, string? UserId, ApiError? Error, ClientToken? Token = null)
    {
        public static Authenticated Refused(ApiError error) => new(null, null, error);
    }

    /// <summary>A client token names the tenant and user; the api-key header names the tenant only.</summary>
    private static async Task<Authenticated> AuthenticateAsync(HttpContext context, TenantRegistry tenants, TokenService tokens)
    {
        string authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var check = await tokens.CheckAsync(authorization[7..].Trim());
            if (check.Status == TokenStatus.Expired)
            {
                return Authenticated.Refused(new ApiError(ErrorCodes.ExpiredToken, "The token has expired."));
            }
            return check.Status == TokenStatus.Valid && tenants.FindById(check.Token!.TenantId) is { } tenant
                ? new Authenticated(tenant, check.Token.UserId, null, check.Token)
                : Authenticated.Refused(ApiError.Unauthorized("The token is not valid."));
        }
        var apiKey = context.Request.Headers[ApiKeyHeader].ToString();
        if (apiKey.Length > 0)
        {
            return tenants.FindBySecretKey(apiKey) is { } tenant
                ? new Authenticated(tenant, null, null)
                : Authenticated.Refused(ApiError.Unauthorized("The api-key is not a valid secret key."));
        }
        return Authenticated.Refused(ApiError.Unauthorized("Authorization: Bearer <client token> or an api-key header is required."));
    }

    private static JsonHttpResult<StepUpError> Error(HttpContext context, ApiError error)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return TypedResults.Json(new StepUpError(error.Code, error.Description), statusCode: error.Status);
    }
}
