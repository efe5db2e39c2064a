using System.Globalization;
using System.Net;
using Challenges.Api.Health;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Challenges.Benchmarks.Bare;

/// <summary>
/// The <c>bare</c> command: <c>GET /health/live</c> on a loopback port, served by Kestrel with only the layers up to
/// a stage of the server's pipeline, so that wrk can measure what each layer costs. Each stage adds one thing to the
/// one before; the last is the server's whole middleware pipeline without its features, store and workers.
/// Configuration (tenants, signing key) comes from the environment, as the server's does.
/// </summary>
internal static class BareServer
{
    public static readonly IReadOnlyList<(string Name, string Adds)> Stages =
    [
        ("raw", "Kestrel, one terminal delegate writing the same JSON bytes (no routing, no serializer)"),
        ("minimal", "routing and the server's own `/health/live` endpoint (slim builder, no logging)"),
        ("host", "the default host of `WebApplication.CreateBuilder` (configuration, logging providers, host filtering) and the server's Kestrel limits"),
        ("conventions", "`AddHttpConventions`/`UseHttpConventions`: no-store header, error middleware, status-code bodies, request guard, JSON options"),
        ("cors", "tenants and tokens (`AddTenantsAndTokens`) and `UseCors`"),
        ("auth", "`UseAuthentication` and `UseAuthorization` (three schemes, four policies)"),
        ("openapi", "`UseContractDocument` as configured: Swagger and Swagger UI middleware only with `OpenApi__Enabled` (by default in Development only)"),
    ];

    public static async Task<int> MainAsync(IReadOnlyList<string> args)
    {
        var stage = Argument(args, "--stage") ?? "minimal";
        var level = Stages.Select(s => s.Name).ToList().IndexOf(stage);
        if (level < 0 || !int.TryParse(Argument(args, "--port") ?? "5099", NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            await Console.Error.WriteLineAsync($"usage: bare [--stage {string.Join('|', Stages.Select(s => s.Name))}] [--port 5099]");
            return 2;
        }
        bool Has(string name) => level >= Stages.Select(s => s.Name).ToList().IndexOf(name);

        var builder = Has("host") ? WebApplication.CreateBuilder() : WebApplication.CreateSlimBuilder();
        if (!Has("host"))
        {
            builder.Logging.ClearProviders();
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
            if (Has("host"))
            {
                kestrel.Limits.MaxRequestLineSize = 64 * 1024;
                kestrel.Limits.MaxRequestHeadersTotalSize = 96 * 1024;
            }
        });
        builder.Services.AddHealth();
        if (Has("conventions"))
        {
            builder.Services.AddHttpConventions();
        }
        if (Has("cors"))
        {
            builder.Services.AddTenantsAndTokens();
        }
        if (Has("openapi"))
        {
            builder.Services.AddContractDocument();
        }

        var app = builder.Build();
        if (stage == "raw")
        {
            var body = """{"status":"Healthy"}"""u8.ToArray();
            app.Run(context =>
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                context.Response.ContentLength = body.Length;
                return context.Response.Body.WriteAsync(body).AsTask();
            });
        }
        else
        {
            if (Has("conventions"))
            {
                app.UseHttpConventions();
            }
            if (Has("cors"))
            {
                app.UseCors();
            }
            if (Has("auth"))
            {
                app.UseAuthentication();
                app.UseAuthorization();
            }
            if (Has("openapi"))
            {
                app.UseContractDocument();
            }
            app.MapHealth();
        }
        await Console.Out.WriteLineAsync($"bare stage {stage} listening on http://127.0.0.1:{port}");
        await app.RunAsync();
        return 0;
    }

    private static string? Argument(IReadOnlyList<string> args, string name)
    {
        var index = args.ToList().IndexOf(name);
        return index >= 0 && index + 1 < args.Count ? args[index + 1] : null;
    }
}
