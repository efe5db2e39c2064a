using Challenges.Api.Actions;
using Challenges.Api.Delivery;
using Challenges.Api.Health;
using Challenges.Api.Hosted;
using Challenges.Api.Http;
using Challenges.Api.MagicLink;
using Challenges.Api.Observability;
using Challenges.Api.OpenApi;
using Challenges.Api.Otp;
using Challenges.Api.Passkeys;
using Challenges.Api.Push;
using Challenges.Api.PushDelivery;
using Challenges.Api.RateLimiting;
using Challenges.Api.RecoveryCodes;
using Challenges.Api.Sessions;
using Challenges.Api.StepUp;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Totp;
using Challenges.Api.Users;
using Challenges.Api.Verification;

if (args.Contains(HealthProbe.Argument))
{
    return await HealthProbe.RunAsync(args);
}

// appsettings*.json sit beside the assembly: the server reads its own, whatever directory it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    // Generous protocol limits, so that over-long URLs and headers reach the request guard and get the contract's body.
    kestrel.Limits.MaxRequestLineSize = 64 * 1024;
    kestrel.Limits.MaxRequestHeadersTotalSize = 96 * 1024;
});

// Logs, metrics (/metrics when enabled), traces (OTLP when configured), health checks.
builder.AddObservability();
builder.Services.AddHealth();

// Shared HTTP rules: JSON, limits, the contract's error body, CORS, OpenAPI.
builder.Services.AddHttpConventions();
builder.Services.AddContractDocument();

// Tenants from configuration, client tokens, and the three authentication schemes.
builder.Services.AddTenantsAndTokens();

// State: Redis when configured, else the embedded in-memory store.
builder.Services.AddStorage(builder.Configuration);
builder.Services.AddRateLimits();

// Outbound delivery: signed webhooks and message providers; push notifications through APNs and FCM.
builder.Services.AddDelivery();
builder.Services.AddPushDelivery();

// Features: users and actions, the path every verification method takes, and the methods.
builder.Services.AddUsers();
builder.Services.AddActions();
builder.Services.AddVerification();
builder.Services.AddOtp(builder.Configuration);
builder.Services.AddPush();
builder.Services.AddMagicLink();
builder.Services.AddTotp();
builder.Services.AddRecoveryCodes();
builder.Services.AddPasskeys();
builder.Services.AddStepUp();
builder.Services.AddSessions();
builder.Services.AddHostedPage();

var app = builder.Build();
if (!app.ConfigurationIsValid())
{
    return ConfigurationCheck.RefusedExitCode;
}

app.UseHttpConventions();
app.UseMetricsEndpoint();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseContractDocument();

app.MapHealth();
app.MapUsers();
app.MapActions();
app.MapHosted();
app.MapOtp();
app.MapPush();
app.MapMagicLink();
app.MapTotp();
app.MapRecoveryCodes();
app.MapPasskeys();
app.MapStepUp();
app.MapSessions();

app.LogStartup();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
