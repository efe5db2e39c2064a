using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Challenges.Api.StepUp;

/// <summary>
/// Step-up push (docs/contract.md §4), with this API's own response shapes (<see cref="StepUpErrors"/>, on the route
/// group). Callers authenticate with a client token (the logged-in user) or with the <c>api-key</c> header holding a
/// tenant secret key plus the user named in the request (ours), through the authentication middleware like every
/// other API.
/// </summary>
public static class StepUpEndpoints
{
    public const string ReferenceHeader = "idempotency-ref";

    /// <summary>Bearer when the request carries a client token, else the api-key header.</summary>
    public const string Scheme = "StepUp";
    public const string Policy = "stepup";

    public static IServiceCollection AddStepUp(this IServiceCollection services)
    {
        services.AddSingleton<StepUpStore>();
        services.AddSingleton<StepUpService>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(nameof(ApiKeyAuthenticationHandler), null)
            .AddPolicyScheme(Scheme, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? AuthSchemes.Bearer
                    : nameof(ApiKeyAuthenticationHandler));
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    public static IEndpointRouteBuilder MapStepUp(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/stepup/challenges").WithTags("Step-up").RequireAuthorization(Policy).WithMetadata(StepUpErrors.Format)
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

        // Other methods and unknown paths answer in this API's shape too, whoever asks.
        var rest = app.MapGroup("/stepup").WithMetadata(StepUpErrors.Format).AllowAnonymous().ExcludeFromDescription();
        rest.MapMethods("/challenges/push/{channel}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete],
            (HttpContext context) => MethodNotAllowed(context, HttpMethods.Post));
        rest.MapMethods("/challenges/{id}", [HttpMethods.Post, HttpMethods.Head, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete],
            (HttpContext context) => MethodNotAllowed(context, HttpMethods.Get));
        rest.MapFallback((HttpContext context) => ApiError.NotFound($"No route matches {context.Request.Method} {context.Request.Path}.").ToResult());
        return app;
    }

    private static ErrorResult MethodNotAllowed(HttpContext context, string allowed)
    {
        context.Response.Headers.Allow = allowed;
        return new ApiError(ErrorCodes.MethodNotAllowed, $"{context.Request.Method} is not allowed on {context.Request.Path}.").ToResult();
    }

    public static async Task<Results<Ok<StepUpStarted>, JsonHttpResult<StepUpSyntaxError>, ErrorResult>> Start(string channel,
        [FromHeader(Name = ReferenceHeader)] string? reference, HttpContext context, Caller caller, StepUpService service, ClientAddress address)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        // The body is this API's own: read here, so that a body that is no JSON object is a syntax error in its shape.
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        JsonElement? body = null;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // A syntax error, below.
        }
        var tokenUser = caller.Token?.UserId;
        var invalid = new List<StepUpInvalidField>();
        if (!StepUpChannels.All.Contains(channel, StringComparer.Ordinal))
        {
            invalid.Add(new StepUpInvalidField("channel", StepUpFieldErrors.In, StepUpChannels.All));
        }
        var bodyIsObject = string.IsNullOrWhiteSpace(text) || body is { ValueKind: JsonValueKind.Object };
        var named = body is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("userId", out var u) ? u : (JsonElement?)null;
        var userId = CheckUserId(named, required: tokenUser is null, invalid);
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
        if (tokenUser is not null && userId is not null && userId != tokenUser)
        {
            return ApiError.Forbidden("A client token can step up only its own user.").ToResult();
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"POST /stepup/challenges/push/{channel}\n{(body is { } b ? JsonSerializer.Serialize(b) : "{}")}")));
        var started = await service.StartAsync(caller.Tenant, tokenUser ?? userId!, caller.Token, channel,
            reference.Length == 0 ? null : reference, fingerprint, PushOrigin.Of(context, address));
        return started.Failed(out var error, out var id) ? error.ToResult() : TypedResults.Ok(new StepUpStarted(id));
    }

    public static async Task<Results<Ok<StepUpStatusResponse>, JsonHttpResult<StepUpSyntaxError>, ErrorResult>> Get(
        string id, string? userId, Caller caller, StepUpService service)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var invalid = new List<StepUpInvalidField>();
        var named = userId is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(userId);
        var user = caller.Token?.UserId ?? CheckUserId(named, required: true, invalid);
        if (Ids.Check(id, "id") is not null)
        {
            invalid.Add(new StepUpInvalidField("id", StepUpFieldErrors.Size, ["1", "256"]));
        }
        if (invalid.Count > 0)
        {
            return TypedResults.Json(new StepUpSyntaxError("The request has invalid fields.", new StepUpSyntaxErrors(invalid)),
                statusCode: StatusCodes.Status400BadRequest);
        }
        var status = await service.GetAsync(caller.Tenant, user!, id);
        return status.Failed(out var error, out var found) ? error.ToResult() : TypedResults.Ok(found);
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
}
