"""Plain Starlette HTTP routes mounted beside the Reflex app (sign-in, development OpenID provider)."""
