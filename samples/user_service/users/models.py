from django.db import models


class User(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    #: Comma-separated role names.
    roles = models.CharField(max_length=200, default="member")

    def to_json(self, broken: bool = False) -> dict:
        data = {"id": self.id, "name": self.name, "email": self.email,
                "roles": [r for r in self.roles.split(",") if r]}
        if broken:
            data["id"] = str(self.id)
            del data["email"]
        return data
