"""Models the data-module and expression tests expose: every common field type, a foreign
key, a reverse relation (sub-model) and a field that must never be exposed."""

from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, unique=True)

    def __str__(self):
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    quantity = models.IntegerField(default=0)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    weight = models.FloatField(null=True, blank=True)
    in_stock = models.BooleanField(default=True)
    tags = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="products")
    maker = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="made")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="products")
    released_at = models.DateTimeField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    secret = models.CharField(max_length=100, blank=True)  # never exposed
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class Review(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ProductDetail(models.Model):
    """A one-to-one sub-model (``products.detail``), for ``set``."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="detail")
    color = models.CharField(max_length=30)
    width = models.FloatField(null=True, blank=True)


class ShownNotes(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(archived=False)


class Note(models.Model):
    """A default manager that hides rows (soft deletion): what the data API reads goes through it."""

    text = models.CharField(max_length=100)
    archived = models.BooleanField(default=False)

    objects = ShownNotes()
    everything = models.Manager()
