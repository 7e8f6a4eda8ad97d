"""GreenBot's Telegram surface (aiogram): routers, middlewares, rendering and start-up."""
