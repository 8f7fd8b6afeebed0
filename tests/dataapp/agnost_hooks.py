"""The test models exposed to the client (discovered at start-up, like admin.py)."""

from agnost_django.data import Resource, site
from tests.dataapp.models import Category, Note, Product, ProductDetail, Review


@site.register(Category)
class CategoryResource(Resource):
    name = "categories"
    rules = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}


@site.register(Product)
class ProductResource(Resource):
    name = "products"
    hidden_fields = ["secret"]
    read_only_fields = ["created_at", "updated_at"]
    searchable_fields = ["name", "description"]
    sub_models = {"reviews": "reviews", "detail": "detail"}
    rules = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}


@site.register(Review)
class ReviewResource(Resource):
    name = "reviews"
    rules = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}


@site.register(ProductDetail)
class ProductDetailResource(Resource):
    name = "productdetails"
    rules = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}


@site.register(Note)
class NoteResource(Resource):
    name = "notes"
    rules = {"read": "anyone", "create": "anyone", "update": "anyone", "delete": "anyone"}
