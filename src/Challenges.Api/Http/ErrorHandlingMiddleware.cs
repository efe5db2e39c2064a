using System.Text.Json;

namespace Challenges.Api.Http;

/// <summary>
/// Turns every exception that escapes an endpoint into the contract's error body: unreadable JSON → 400 naming the
/// field, oversized body → 413, store outage → 503 with Retry-After, anything else → 500 with a generic text
/// (the exception is logged, never echoed).
/// </summary>
public sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var error = Map(exception);
            if (error.Status == StatusCodes.Status500InternalServerError)
            {
                LogUnexpected(logger, exception, context.Request.Method, context.Request.Path);
            }
            else if (error.Status == StatusCodes.Status503ServiceUnavailable)
            {
                LogStoreUnavailable(logger, exception.Message);
            }
            context.Response.Clear();
            await ErrorWriter.WriteAsync(context, error);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
    }

    internal static ApiError Map(Exception exception) => exception switch
    {
        PayloadTooLargeException e => new ApiError(ErrorCodes.PayloadTooLarge, e.Message),
        ServiceUnavailableException e => new ApiError(ErrorCodes.ServiceUnavailable, e.PublicDescription, 1),
        BadHttpRequestException { InnerException: PayloadTooLargeException e } => new ApiError(ErrorCodes.PayloadTooLarge, e.Message),
        BadHttpRequestException { InnerException: JsonException e } => ApiError.Invalid(DescribeJsonError(e)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiError(ErrorCodes.PayloadTooLarge, "The request body is too large."),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            new ApiError(ErrorCodes.UnsupportedMediaType, "The request body must be JSON."),
        BadHttpRequestException e => ApiError.Invalid(DescribeBadRequest(e)),
        JsonException e => ApiError.Invalid(DescribeJsonError(e)),
        _ => new ApiError(ErrorCodes.ServerError, "An unexpected error occurred."),
    };

    private static string DescribeJsonError(JsonException e)
    {
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? null : e.Path.TrimStart('$', '.');
        return field is null
            ? "The request body is not valid JSON or is not an object."
            : $"{field}: the value is not valid JSON or has the wrong type.";
    }

    // The framework's messages for route and query binding failures name the parameter and carry no secrets.
    private static string DescribeBadRequest(BadHttpRequestException e) =>
        e.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) ||
        e.Message.StartsWith("Required parameter", StringComparison.Ordinal) ||
        e.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal)
            ? e.Message
            : "The request could not be read.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);

    // The store's own message: it names the endpoints and Redis__Configuration, never a password.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable, answered 503: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);
}
