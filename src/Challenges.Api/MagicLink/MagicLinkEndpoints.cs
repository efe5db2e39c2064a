using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Verification;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.MagicLink;

/// <summary>
/// Client API (Bearer) for email magic links (docs/contract.md, "Email magic link"): enrol, challenge, the finalize
/// poll; and the page the link opens (not part of the JSON API).
/// </summary>
public static class MagicLinkEndpoints
{
    public static IServiceCollection AddMagicLink(this IServiceCollection services)
    {
        services.AddSingleton<MagicLinkStore>();
        services.AddSingleton<MagicLinkService>();
        services.AddSingleton<IValidator<EnrolMagicLinkRequest>, EnrolMagicLinkRequestValidator>();
        services.AddSingleton<IValidator<FinalizeMagicLinkRequest>, FinalizeMagicLinkRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapMagicLink(this IEndpointRouteBuilder app)
    {
        var client = app.MapGroup("/v1/client").ClientApi("Client email magic link")
            .ProducesError(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status429TooManyRequests);
        client.MapPost("/user-authenticators/email-magic-link", Enrol)
            .WithSummary("Add an email magic link authenticator and mail it a link; unverified until the link is confirmed.")
            .ProducesError(StatusCodes.Status502BadGateway);
        client.MapPost("/challenge/email-magic-link", Challenge)
            .WithSummary("Mail a link to the user's email magic link authenticator.")
            .ProducesError(StatusCodes.Status502BadGateway);
        client.MapPost("/verify/email-magic-link/finalize", Poll)
            .WithSummary("Poll the token's latest magic link: isVerified with a fresh token once its page was confirmed.");

        var page = app.MapGroup(MagicLinkService.PagePath).ExcludeFromDescription().AllowAnonymous();
        page.MapGet("", Show).WithName("MagicLinkPage");
        page.MapPost("", Confirm);
        return app;
    }

    public static async Task<Results<Ok<EnrolMagicLinkResponse>, ErrorResult>> Enrol(EnrolMagicLinkRequest? request, ClientCall call,
        MagicLinkService service, PublicUrl publicUrl, HttpContext context) =>
        (await service.EnrolAsync(call, request!.Email!, publicUrl.For(context))).ToHttp();

    public static async Task<Results<Ok<MagicLinkChallengeResponse>, ErrorResult>> Challenge(ClientCall call, MagicLinkService service,
        PublicUrl publicUrl, HttpContext context) =>
        (await service.StartAsync(call, publicUrl.For(context))).ToHttp();

    public static async Task<Results<Ok<MagicLinkVerifyResponse>, ErrorResult>> Poll(FinalizeMagicLinkRequest? request, ClientCall call,
        MagicLinkService service) =>
        (await service.FinalizeAsync(call, request?.ChallengeId)).ToHttp();

    /// <summary>GET: shows the link's state and, when pending, the confirm button. Changes nothing.</summary>
    public static async Task<IResult> Show(string? t, MagicLinkService service, HttpContext context) =>
        MagicLinkPage.Render(context, await service.InspectAsync(t), t);

    /// <summary>POST (the page's button): confirms the link.</summary>
    public static async Task<IResult> Confirm(string? t, MagicLinkService service, HttpContext context) =>
        MagicLinkPage.Render(context, await service.ConfirmAsync(t), null);
}
