using Microsoft.AspNetCore.Http.Json;

namespace Challenges.Api.Http;

/// <summary>JSON rules, request limits, error bodies and CORS: what every endpoint shares.</summary>
public static class HttpSetup
{
    public static IServiceCollection AddHttpConventions(this IServiceCollection services)
    {
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes is >= 1024 and <= 16 * 1024 * 1024, "Http__MaxRequestBodyBytes must be between 1 KiB and 16 MiB.")
            .ValidateOnStart();
        services.AddOptions<PublicUrlOptions>()
            .Configure<IConfiguration>((o, configuration) => o.Url = configuration[PublicUrlOptions.Key])
            .Validate<IHostEnvironment>((o, environment) => environment.IsDevelopment() || !string.IsNullOrEmpty(o.Url),
                "PublicUrl is required outside Development: the server's public URL, e.g. https://challenges.example.com.")
            .Validate(o => string.IsNullOrEmpty(o.Url) || PublicUrlOptions.IsValid(o.Url),
                "PublicUrl must be an absolute http or https URL without query or fragment.")
            .ValidateOnStart();
        services.Configure<JsonOptions>(o => JsonDefaults.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<PublicUrl>();
        services.AddSingleton(TimeProvider.System);
        Validation.UseCamelCasePropertyNames();
        return services;
    }

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var response = context.Response;
            // Answers carry client tokens (track, verify, poll, claim, step-up, the hosted page): no cache may keep one.
            response.Headers.CacheControl = "no-store";
            response.OnStarting(JsonContentType.Exact, response);
            return next(context);
        });
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseContractStatusCodeBodies();
        app.UseMiddleware<RequestGuardMiddleware>();
        // Routing after the guard: it matches on Content-Type, which the guard has just normalised.
        app.UseRouting();
        return app;
    }
}
