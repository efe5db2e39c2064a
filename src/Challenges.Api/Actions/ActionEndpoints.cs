using System.Globalization;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Actions;

/// <summary>Server API: actions and validation (docs/contract.md §2.1).</summary>
public static class ActionEndpoints
{
    public static IServiceCollection AddActions(this IServiceCollection services)
    {
        services.AddSingleton<ActionStore>();
        services.AddSingleton<Users.IUserErasure>(sp => sp.GetRequiredService<ActionStore>());
        services.AddSingleton<ActionCompletion>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<FluentValidation.IValidator<TrackRequest>, TrackRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<UpdateActionRequest>, UpdateActionRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<ValidateRequest>, ValidateRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapActions(this IEndpointRouteBuilder app)
    {
        var actions = app.MapGroup("/v1/users/{userId}/actions").ServerApi("Actions");
        actions.MapPost("/{action}", Track)
            .WithSummary("Track an action: decides its state and returns a client token for the web or mobile app.");
        actions.MapGet("/{action}/{idempotencyKey}", GetAction).WithSummary("Get an action's state.")
            .ProducesError(StatusCodes.Status404NotFound);
        actions.MapPatch("/{action}/{idempotencyKey}", UpdateAction).WithSummary("Set an action's state, e.g. after a review.")
            .ProducesError(StatusCodes.Status404NotFound);
        actions.MapGet("", QueryActions).WithSummary("List a user's actions, newest first, optionally filtered.");

        app.MapGroup("/v1").ServerApi("Actions")
            .MapPost("/validate", Validate)
            .WithSummary("Validate a client token: isValid is true once, for an action whose challenge succeeded.")
            .ProducesError(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<TrackResponse>, ErrorResult>> Track(string userId, string action, TrackRequest? request,
        Caller caller, ActionService service, PublicUrl publicUrl, HttpContext context)
    {
        if ((Ids.Check(userId, "userId") ?? Ids.Check(action, "action")) is { } invalid)
        {
            return invalid.ToResult();
        }
        var tenant = caller.Tenant;
        var tracked = await service.TrackAsync(tenant, userId, action, request!);
        var url = $"{publicUrl.For(context)}/hosted?token={Uri.EscapeDataString(tracked.Token)}";
        return TypedResults.Ok(new TrackResponse(tracked.Action.IdempotencyKey, tracked.Action.State, url, tracked.Token,
            tracked.User.IsEnrolled, tracked.User.EnrolledMethods(tenant), tenant.VerificationMethods, tracked.User.DefaultMethod(tenant)));
    }

    public static async Task<Results<Ok<ActionResponse>, ErrorResult>> GetAction(string userId, string action, string idempotencyKey,
        Caller caller, ActionService service)
    {
        if ((Ids.Check(userId, "userId") ?? Ids.Check(action, "action") ?? Ids.Check(idempotencyKey, "idempotencyKey")) is { } invalid)
        {
            return invalid.ToResult();
        }
        return (await service.GetAsync(caller.Tenant, new ActionRef(caller.Tenant.Id, userId, action, idempotencyKey)))
            .Map(ActionResponse.From).ToHttp();
    }

    public static async Task<Results<Ok<UpdateActionResponse>, ErrorResult>> UpdateAction(string userId, string action,
        string idempotencyKey, UpdateActionRequest? request, Caller caller, ActionService service)
    {
        if ((Ids.Check(userId, "userId") ?? Ids.Check(action, "action") ?? Ids.Check(idempotencyKey, "idempotencyKey")) is { } invalid)
        {
            return invalid.ToResult();
        }
        return (await service.SetStateAsync(caller.Tenant, new ActionRef(caller.Tenant.Id, userId, action, idempotencyKey), request!.State!))
            .Map(a => new UpdateActionResponse(a.State)).ToHttp();
    }

    public static async Task<Results<Ok<ActionSummary[]>, ErrorResult>> QueryActions(string userId, string? fromDate, string? codes,
        string? state, Caller caller, ActionService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        DateTimeOffset? from = null;
        if (!string.IsNullOrEmpty(fromDate))
        {
            if (!DateTimeOffset.TryParse(fromDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ApiError.Invalid("fromDate: must be an ISO-8601 date or time.").ToResult();
            }
            from = parsed;
        }
        if (state is not null && !ActionStates.All.Contains(state, StringComparer.Ordinal))
        {
            return ApiError.Invalid($"state: must be one of {string.Join(", ", ActionStates.All)}.").ToResult();
        }
        var codeList = codes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var found = await service.QueryAsync(caller.Tenant, userId, from, codeList, state);
        return TypedResults.Ok(found.Select(ActionSummary.From).ToArray());
    }

    public static async Task<Results<Ok<ValidateResponse>, ErrorResult>> Validate(ValidateRequest? request, Caller caller, ActionService service)
    {
        return (await service.ValidateAsync(caller.Tenant, request!)).Map(v => new ValidateResponse(v.IsValid, v.Action.State,
            v.Action.StateUpdatedAt, v.Action.UserId, v.Action.ActionCode, v.Action.ActionCode, v.Action.IdempotencyKey,
            v.Action.VerificationMethod)).ToHttp();
    }
}
