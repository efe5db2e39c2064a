using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.RecoveryCodes;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Totp;
using Challenges.Api.Verification;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;

namespace Challenges.Api.Hosted;

/// <summary>The page's authenticator-app enrolment: the Client API's answer and its QR code (<see cref="HostedEndpoints.QrModules"/>).</summary>
public sealed record HostedTotpResponse(string UserAuthenticatorId, string Uri, string Secret, IReadOnlyList<string> Qr);

/// <summary>
/// The hosted page that the <c>url</c> of a tracked action points at: it runs the challenge with the Client API in the
/// browser and returns the fresh token to the action's <c>redirectUrl</c> (<c>?token=…</c>), or an <c>?error=</c> the
/// tenant's application handles (docs/hosted-page.md). Not part of the JSON API.
/// <para>
/// Adding a verification method to the page: its client endpoints exist (see docs/architecture.md); add its name to
/// <see cref="PageMethods"/> when the page can enrol or run it, its button and step to <c>hosted.js</c> (one entry in
/// its <c>methods</c> table), and its words to every file in <c>Strings/</c>.
/// </para>
/// </summary>
public static class HostedEndpoints
{
    /// <summary>
    /// The methods the page knows how to run, in the order it offers them (a passkey and a security key first, where the
    /// browser has WebAuthn). Recovery codes are not a choice of their own: the page offers them as a way out below the choices.
    /// </summary>
    public static readonly string[] PageMethods =
    [
        VerificationMethods.Passkey, VerificationMethods.SecurityKey, VerificationMethods.Push, VerificationMethods.AuthenticatorApp,
        VerificationMethods.Sms, VerificationMethods.WhatsApp, VerificationMethods.EmailOtp, VerificationMethods.EmailMagicLink,
        VerificationMethods.RecoveryCode,
    ];

    /// <summary>How long one <c>/hosted/push/wait</c> holds the request before it answers "still pending".</summary>
    public static readonly TimeSpan PushWait = TimeSpan.FromSeconds(20);

    /// <summary>How often a held wait reads the challenge: first after half a second, then less often, at most every 2 s.</summary>
    private static readonly TimeSpan FirstPushWaitStep = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan LastPushWaitStep = TimeSpan.FromSeconds(2);

    private static readonly Lazy<string> Script = new(() => Embedded("hosted.js"));
    private static readonly Lazy<string> Styles = new(() => Embedded("hosted.css"));

    public static IEndpointRouteBuilder MapHosted(this IEndpointRouteBuilder app)
    {
        var hosted = app.MapGroup("/hosted").ExcludeFromDescription();
        hosted.MapGet("", Page).AllowAnonymous();
        hosted.MapGet("/hosted.js", () => Results.Text(Script.Value, "text/javascript; charset=utf-8")).AllowAnonymous();
        hosted.MapGet("/hosted.css", () => Results.Text(Styles.Value, "text/css; charset=utf-8")).AllowAnonymous();
        hosted.MapGet("/theme.css", Theme).AllowAnonymous();
        var client = app.MapGroup("/hosted").ClientApi("Hosted page").ExcludeFromDescription();
        client.MapPost("/push/wait", WaitForPush);
        client.MapPost("/totp", EnrolTotp);
        client.MapPost("/recovery-codes", IssueRecoveryCodes);
        return app;
    }

    public static async Task<ContentHttpResult> Page(string? token, TokenService tokens, TenantRegistry tenants, ActionService actions,
        PublicUrl publicUrl, IHostEnvironment environment, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(environment);
        var acceptLanguage = context.Request.GetTypedHeaders().AcceptLanguage;
        var check = await tokens.CheckAsync(token);
        if (check.Status != TokenStatus.Valid || tenants.FindById(check.Token!.TenantId) is not { } tenant)
        {
            var language = HostedStrings.Choose(null, acceptLanguage, HostedStrings.Fallback);
            return Answer(context, HostedPage.Notice(language, "expiredHeading", "expiredText", null), StatusCodes.Status401Unauthorized, null);
        }
        var branding = tenant.Options.HostedPage;
        if ((await actions.GetAsync(tenant, ActionRef.Of(check.Token))).Value is not { } action)
        {
            var language = HostedStrings.Choose(null, acceptLanguage, branding.DefaultLocale);
            return Answer(context, HostedPage.Notice(language, "expiredHeading", "goneText", tenant), StatusCodes.Status404NotFound, branding.LogoUrl);
        }
        var chosen = HostedStrings.Choose(action.Locale, acceptLanguage, branding.DefaultLocale);
        // The target comes only from the stored action and passes the track rules again: nothing in this request can
        // choose where the token (or an error) is sent.
        var redirect = action.RedirectUrl is { } url && TrackRequestValidator.IsSafeRedirect(url, environment.IsDevelopment()) ? url : null;
        var origin = new Uri(publicUrl.For(context)).GetLeftPart(UriPartial.Authority);
        var methods = PageMethods.Where(m => tenant.Allows(m) && (!VerificationMethods.WebAuthn.Contains(m) || tenant.Options.Passkeys.Allows(origin)))
            .ToArray();
        return Answer(context, HostedPage.App(chosen, tenant, action, token!, redirect, methods), StatusCodes.Status200OK, branding.LogoUrl);
    }

    /// <summary>The tenant's colours; an unknown tenant gets the default ones.</summary>
    public static ContentHttpResult Theme(string? tenant, TenantRegistry tenants) =>
        TypedResults.Content(HostedTheme.Css(tenants.FindById(tenant ?? "")?.Options.HostedPage ?? new HostedPageOptions()),
            "text/css; charset=utf-8");

    /// <summary>
    /// Long polling for the page's push step: the answer of <c>POST /v1/client/verify/push</c> (same body, same token),
    /// given as soon as the challenge is approved, rejected or expired, or after <see cref="PushWait"/> while it is still
    /// pending. The page asks again at once; where this fails (a proxy that cuts held requests, or more held waits than
    /// <see cref="HeldPushWaits"/> allows) it falls back to polling <c>/v1/client/verify/push</c>.
    /// </summary>
    public static async Task<Results<Ok<VerifyPushResponse>, ErrorResult>> WaitForPush(VerifyPushRequest? request, ClientCall call,
        PushService push, HeldPushWaits held, TimeProvider time, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (held.TryHold(call.Tenant.Id, call.Token.UserId).Failed(out var refused, out var slot))
        {
            return refused.ToResult();
        }
        using (slot)
        {
            var deadline = time.GetUtcNow() + PushWait;
            var step = FirstPushWaitStep;
            var polled = await push.VerifyAsync(call, request!.ChallengeId!);
            for (; polled.Value is { IsConsumed: false } && time.GetUtcNow() < deadline && !context.RequestAborted.IsCancellationRequested;
                 polled = await push.VerifyAsync(call, request.ChallengeId!))
            {
                try
                {
                    await Task.Delay(step, time, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                step = TimeSpan.FromTicks(Math.Min(step.Ticks * 2, LastPushWaitStep.Ticks));
            }
            return polled.ToHttp();
        }
    }

    /// <summary>
    /// <c>POST /v1/client/user-authenticators/totp</c> for the page: the same enrolment, and the <c>otpauth://</c> URI as
    /// a QR code's modules (rows of 0 and 1, quiet zone included) that the page draws itself, so the secret never
    /// leaves this answer for an image URL.
    /// </summary>
    public static async Task<Results<Ok<HostedTotpResponse>, ErrorResult>> EnrolTotp(ClientCall call, TotpService totp) =>
        (await totp.EnrolAsync(call)).Map(e => new HostedTotpResponse(e.UserAuthenticatorId, e.Uri, e.Secret, QrModules(e.Uri))).ToHttp();

    /// <summary>The recovery codes of a user whose first authenticator the page just enrolled, shown once (docs/hosted-page.md).</summary>
    public static async Task<Results<Ok<RecoveryCodesResponse>, ErrorResult>> IssueRecoveryCodes(ClientCall call, RecoveryCodeService codes) =>
        (await codes.IssueForEnrolmentAsync(call)).ToHttp();

    /// <summary>A QR code of <paramref name="text"/> (error correction M) as rows of <c>0</c> and <c>1</c>.</summary>
    public static IReadOnlyList<string> QrModules(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return data.ModuleMatrix.Select(row => string.Concat(Enumerable.Range(0, row.Length).Select(i => row[i] ? '1' : '0'))).ToList();
    }

    private static ContentHttpResult Answer(HttpContext context, string html, int status, Uri? logo)
    {
        var headers = context.Response.Headers;
        var images = logo is null ? "'none'" : logo.GetLeftPart(UriPartial.Authority);
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
            $"img-src {images}; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(HostedEndpoints).Assembly.GetManifestResourceStream($"Challenges.Api.Hosted.{name}")
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
