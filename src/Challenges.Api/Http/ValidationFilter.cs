using FluentValidation;

namespace Challenges.Api.Http;

/// <summary>
/// Validates every endpoint argument that has a registered <see cref="IValidator{T}"/>. The validators are found
/// once per endpoint, when it is built; a failure answers 400 <c>invalid_request</c> naming the field and the rule.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var services = context.ApplicationServices;
            var validators = context.MethodInfo.GetParameters()
                .Select((parameter, index) => (index, validator: services.GetService(
                    typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
                .Where(pair => pair.validator is not null)
                .ToArray();
            if (validators.Length == 0)
            {
                return next;
            }
            return async invocation =>
            {
                foreach (var (index, validator) in validators)
                {
                    var argument = invocation.Arguments[index];
                    if (argument is null)
                    {
                        continue;
                    }
                    var result = await validator!.ValidateAsync(new ValidationContext<object>(argument));
                    if (!result.IsValid)
                    {
                        var failure = result.Errors[0];
                        return new ApiError(ErrorCodes.InvalidRequest, failure.ErrorMessage).ToResult();
                    }
                }
                return await next(invocation);
            };
        });
        return builder;
    }
}
