using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Users;

/// <summary>Server API: users and their authenticators (docs/contract.md §2.3).</summary>
public static class UserEndpoints
{
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddSingleton<UserStore>();
        services.AddSingleton<UserService>();
        services.AddSingleton<UserQuery>();
        services.AddSingleton<FluentValidation.IValidator<UserQueryRequest>, UserQueryRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<UpdateUserRequest>, UpdateUserRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<EnrolAuthenticatorRequest>, EnrolAuthenticatorRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/users").ServerApi("Users").MapGet("", QueryUsers)
            .WithSummary("Query the tenant's users (exact filters, ANDed), in creation order, a page at a time.");
        var users = app.MapGroup("/v1/users/{userId}").ServerApi("Users");
        users.MapGet("", GetUser).WithSummary("Get a user: attributes and enrolment. An unknown user is not enrolled.");
        users.MapPatch("", UpdateUser).WithSummary("Update a user's attributes; an empty string clears one.");
        users.MapDelete("", DeleteUser).WithSummary("Delete a user with its authenticators and actions.");
        users.MapGet("/authenticators", ListAuthenticators).WithSummary("List a user's authenticators.");
        users.MapPost("/authenticators", EnrolAuthenticator).WithSummary("Add an authenticator the backend has already verified.")
            .ProducesError(StatusCodes.Status409Conflict);
        users.MapDelete("/authenticators/{userAuthenticatorId}", DeleteAuthenticator).WithSummary("Delete one of a user's authenticators.");
        return app;
    }

    public static async Task<Results<Ok<UserQueryResponse>, ErrorResult>> QueryUsers([AsParameters] UserQueryRequest query, Caller caller,
        UserQuery service) =>
        (await service.QueryAsync(caller.Tenant, query)).ToHttp();

    public static async Task<Results<Ok<UserResponse>, ErrorResult>> GetUser(string userId, Caller caller, UserService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        return TypedResults.Ok(UserResponse.From(caller.Tenant, await service.GetAsync(caller.Tenant, userId)));
    }

    public static async Task<Results<Ok<UserAttributesResponse>, ErrorResult>> UpdateUser(string userId, UpdateUserRequest? request,
        Caller caller, UserService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        var user = await service.UpdateAsync(caller.Tenant, userId, request!);
        return TypedResults.Ok(new UserAttributesResponse(user.Email, user.PhoneNumber, user.Username, user.DisplayName, user.Custom));
    }

    public static async Task<Results<Ok<EmptyResponse>, ErrorResult>> DeleteUser(string userId, Caller caller, UserService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        await service.DeleteAsync(caller.Tenant, userId);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    public static async Task<Results<Ok<AuthenticatorResponse[]>, ErrorResult>> ListAuthenticators(string userId, Caller caller, UserService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        var user = await service.GetAsync(caller.Tenant, userId);
        return TypedResults.Ok(user.Authenticators.Select(a => AuthenticatorResponse.From(userId, a)).ToArray());
    }

    public static async Task<Results<Ok<EnrolAuthenticatorResponse>, ErrorResult>> EnrolAuthenticator(string userId,
        EnrolAuthenticatorRequest? request, Caller caller, UserService service)
    {
        if (Ids.Check(userId, "userId") is { } invalid)
        {
            return invalid.ToResult();
        }
        return (await service.EnrolVerifiedAsync(caller.Tenant, userId, request!)).ToHttp();
    }

    public static async Task<Results<Ok<EmptyResponse>, ErrorResult>> DeleteAuthenticator(string userId, string userAuthenticatorId,
        Caller caller, UserService service)
    {
        if ((Ids.Check(userId, "userId") ?? Ids.Check(userAuthenticatorId, "userAuthenticatorId")) is { } invalid)
        {
            return invalid.ToResult();
        }
        return (await service.DeleteAuthenticatorAsync(caller.Tenant, userId, userAuthenticatorId)).ToHttp();
    }
}
