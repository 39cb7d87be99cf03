import type { Role } from "@/lib/schemas/user";

/** Returns the page a user lands on after signing in. */
export function homePathFor(role: Role): string {
  switch (role) {
    case "patient":
      return "/dashboard";
    case "provider":
      return "/provider/patients";
    case "admin":
      return "/account";
  }
}
