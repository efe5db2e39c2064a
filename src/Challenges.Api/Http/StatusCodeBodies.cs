namespace Challenges.Api.Http;

/// <summary>Gives bodiless framework answers (unknown route, wrong method, auth challenges) the contract body.</summary>
public static class StatusCodeBodies
{
    public static IApplicationBuilder UseContractStatusCodeBodies(this IApplicationBuilder app) =>
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            var error = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiError.NotFound($"No route matches {http.Request.Method} {http.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => new ApiError(ErrorCodes.MethodNotAllowed,
                    $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                StatusCodes.Status401Unauthorized => ApiError.Unauthorized("Authentication is required."),
                StatusCodes.Status403Forbidden => ApiError.Forbidden("The credentials do not allow this operation."),
                StatusCodes.Status415UnsupportedMediaType => new ApiError(ErrorCodes.UnsupportedMediaType, "The request body must be JSON."),
                StatusCodes.Status400BadRequest => ApiError.Invalid("The request could not be read."),
                var status => new ApiError(status >= 500 ? ErrorCodes.ServerError : ErrorCodes.InvalidRequest,
                    "The request could not be completed."),
            };
            return ErrorWriter.WriteAsync(http, error);
        });
}
