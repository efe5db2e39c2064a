using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Verification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Challenges.Api.Push;

/// <summary>Push: the web side (docs/contract.md §3.2) and the mobile device API (§3.3).</summary>
public static class PushEndpoints
{
    public const string SignatureHeader = "X-Authsignal-Signature";

    public static IServiceCollection AddPush(this IServiceCollection services)
    {
        services.AddSingleton<PushChallengeStore>();
        services.AddSingleton<PushService>();
        services.AddSingleton<PushDevices>();
        services.AddSingleton<PushNotifier>();
        services.AddSingleton<PushDispatcher>();
        services.AddSingleton<Users.IUserErasure>(sp => sp.GetRequiredService<PushChallengeStore>());
        services.AddHostedService(sp => sp.GetRequiredService<PushNotifier>());
        services.AddSingleton<FluentValidation.IValidator<AddPushCredentialRequest>, AddPushCredentialRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<StartPushRequest>, StartPushRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<VerifyPushRequest>, VerifyPushRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<AnswerPushRequest>, AnswerPushRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<RemovePushCredentialRequest>, RemovePushCredentialRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<UpdatePushCredentialRequest>, UpdatePushCredentialRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        var web = app.MapGroup("/v1/client").ClientApi("Push");
        web.MapPost("/challenge/push", StartPush)
            .WithSummary("Start a push challenge to the user's push devices, or to the one named.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests);
        web.MapPost("/verify/push", VerifyPush)
            .WithSummary("Poll a push challenge: pending, rejected or expired, or approved with a fresh access token (once).")
            .ProducesError(StatusCodes.Status404NotFound);
        web.MapPost("/user-authenticators/push", AddCredential)
            .WithSummary("Add a device credential (EC P-256 public key) for push; it expires unless used or renewed.")
            .ProducesError(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        var device = app.MapGroup("/v1/client/user-authenticators/push").DeviceApi("Push device");
        device.MapGet("", GetCredential).WithSummary("Get the push credential of a public key.");
        device.MapPost("/challenge/sign", NewPendingNonce).WithSummary("A single-use nonce to sign for a signed get-pending.")
            .ProducesError(StatusCodes.Status429TooManyRequests);
        device.MapGet("/challenge", GetPending)
            .WithSummary("The device's pending push challenge; X-Authsignal-Signature over the latest nonce unlocks custom.");
        device.MapPost("/challenge", Answer).WithSummary("Approve or reject a push challenge, signed over its id.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        device.MapPost("/remove", Remove).WithSummary("Remove the credential, signed over the current time window.");
        device.MapPost("/sign", NewUpdateNonce).WithSummary("A single-use message to sign for a credential update.")
            .ProducesError(StatusCodes.Status429TooManyRequests);
        device.MapPatch("", UpdateCredential)
            .WithSummary("Update the credential's push token, signed over a message from /sign; resetExpiry renews its lifetime.");
        return app;
    }

    public static async Task<Results<Ok<StartPushResponse>, ErrorResult>> StartPush(StartPushRequest? request, ClientCall call,
        PushService service, ClientAddress address, HttpContext context) =>
        (await service.StartAsync(call, request!, PushOrigin.Of(context, address))).ToHttp();

    public static async Task<Results<Ok<VerifyPushResponse>, ErrorResult>> VerifyPush(VerifyPushRequest? request, ClientCall call,
        PushService service) =>
        (await service.VerifyAsync(call, request!.ChallengeId!)).ToHttp();

    public static async Task<Results<Ok<AddPushCredentialResponse>, ErrorResult>> AddCredential(AddPushCredentialRequest? request,
        ClientCall call, PushDevices devices) =>
        (await devices.AddAsync(call, request!)).ToHttp();

    public static async Task<Results<Ok<PushCredentialResponse>, ErrorResult>> GetCredential([FromQuery] string? publicKey, Caller caller,
        PushDevices devices) =>
        (await devices.GetAsync(caller.Tenant, publicKey)).ToHttp();

    public static async Task<Results<Ok<DeviceMessageResponse>, ErrorResult>> NewPendingNonce([FromQuery] string? publicKey, Caller caller,
        PushDevices devices) =>
        (await devices.NewPendingNonceAsync(caller.Tenant, publicKey)).ToHttp();

    public static async Task<Results<Ok<PendingChallengeResponse>, ErrorResult>> GetPending([FromQuery] string? publicKey,
        [FromHeader(Name = SignatureHeader)] string? signature, Caller caller, PushService service) =>
        (await service.PendingAsync(caller.Tenant, publicKey, signature)).ToHttp();

    public static async Task<Results<Ok<AnswerPushResponse>, ErrorResult>> Answer(AnswerPushRequest? request, Caller caller, PushService service) =>
        (await service.AnswerAsync(caller.Tenant, request!)).ToHttp();

    public static async Task<Results<Ok<RemovePushCredentialResponse>, ErrorResult>> Remove(RemovePushCredentialRequest? request, Caller caller,
        PushDevices devices) =>
        (await devices.RemoveAsync(caller.Tenant, request!)).ToHttp();

    public static async Task<Results<Ok<SignMessageResponse>, ErrorResult>> NewUpdateNonce([FromQuery] string? publicKey, Caller caller,
        PushDevices devices) =>
        (await devices.NewUpdateNonceAsync(caller.Tenant, publicKey)).ToHttp();

    public static async Task<Results<Ok<UpdatePushCredentialResponse>, ErrorResult>> UpdateCredential(UpdatePushCredentialRequest? request,
        Caller caller, PushDevices devices) =>
        (await devices.UpdateAsync(caller.Tenant, request!)).ToHttp();
}
