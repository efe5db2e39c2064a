using System.Globalization;

namespace Challenges.Api.Http;

/// <summary>
/// Writes the contract's error body (or the body of the route's own <see cref="IErrorBodyFormat"/>); used by results,
/// middleware and authentication handlers alike.
/// </summary>
public static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var response = context.Response;
        response.StatusCode = error.Status;
        // Also after an exception cleared the headers: no answer of this server is cached.
        response.Headers.CacheControl = "no-store";
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (context.GetEndpoint()?.Metadata.GetMetadata<IErrorBodyFormat>() is { } format)
        {
            var body = format.BodyOf(error);
            return response.WriteAsJsonAsync(body, body.GetType(), JsonDefaults.Options);
        }
        return response.WriteAsJsonAsync(ErrorResponse.Of(error.Code, error.Description), JsonDefaults.Options);
    }
}
