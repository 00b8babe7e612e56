"""Contains all the data models used in inputs/outputs"""

from .address_in import AddressIn
from .address_out import AddressOut
from .agreement_create import AgreementCreate
from .agreement_out import AgreementOut
from .agreement_status import AgreementStatus
from .alert_out import AlertOut
from .alert_out_data import AlertOutData
from .amounts_out import AmountsOut
from .api_key_create import ApiKeyCreate
from .api_key_create_scopes_type_0_item import ApiKeyCreateScopesType0Item
from .api_key_created import ApiKeyCreated
from .api_key_out import ApiKeyOut
from .attempt_out import AttemptOut
from .audit_event_out import AuditEventOut
from .audit_event_out_details import AuditEventOutDetails
from .balance_out import BalanceOut
from .balances_out import BalancesOut
from .batch_confirm import BatchConfirm
from .batch_create import BatchCreate
from .batch_out import BatchOut
from .batch_summary_out import BatchSummaryOut
from .cart_checkout_in import CartCheckoutIn
from .cart_checkout_in_fulfilment import CartCheckoutInFulfilment
from .cart_checkout_in_payment_mode import CartCheckoutInPaymentMode
from .cart_create import CartCreate
from .cart_line_add_in import CartLineAddIn
from .cart_line_change_in import CartLineChangeIn
from .cart_line_in import CartLineIn
from .cart_line_out import CartLineOut
from .cart_out import CartOut
from .cart_out_status import CartOutStatus
from .cart_scan_in import CartScanIn
from .cart_status import CartStatus
from .checkout_in import CheckoutIn
from .checkout_qr_format import CheckoutQrFormat
from .code_image_out import CodeImageOut
from .country import Country
from .currency import Currency
from .customer_data import CustomerData
from .customer_data_orders_item import CustomerDataOrdersItem
from .customer_erase import CustomerErase
from .customer_in import CustomerIn
from .customer_in_locale_type_0 import CustomerInLocaleType0
from .customer_out import CustomerOut
from .erased_order import ErasedOrder
from .erasure_report import ErasureReport
from .event_out import EventOut
from .event_out_data import EventOutData
from .export_fec_encoding import ExportFecEncoding
from .handover_in import HandoverIn
from .health import Health
from .held_day_out import HeldDayOut
from .held_history_format import HeldHistoryFormat
from .held_history_out import HeldHistoryOut
from .iban_change_out import IbanChangeOut
from .iban_history_out import IbanHistoryOut
from .imported_line_out import ImportedLineOut
from .kept_data import KeptData
from .line_in import LineIn
from .line_out import LineOut
from .list_audit_events_action import ListAuditEventsAction
from .list_events_type import ListEventsType
from .listing_create import ListingCreate
from .listing_out import ListingOut
from .next_action_out import NextActionOut
from .order_create import OrderCreate
from .order_create_fulfilment import OrderCreateFulfilment
from .order_create_payment_mode import OrderCreatePaymentMode
from .order_out import OrderOut
from .order_qr_format import OrderQrFormat
from .order_status import OrderStatus
from .page_agreement_out import PageAgreementOut
from .page_alert_out import PageAlertOut
from .page_api_key_out import PageApiKeyOut
from .page_attempt_out import PageAttemptOut
from .page_audit_event_out import PageAuditEventOut
from .page_batch_summary_out import PageBatchSummaryOut
from .page_cart_out import PageCartOut
from .page_event_out import PageEventOut
from .page_listing_out import PageListingOut
from .page_order_out import PageOrderOut
from .page_payout_out import PagePayoutOut
from .page_product_out import PageProductOut
from .page_refund_out import PageRefundOut
from .page_stock_level_out import PageStockLevelOut
from .page_transfer_out import PageTransferOut
from .page_webhook_endpoint_out import PageWebhookEndpointOut
from .party_create import PartyCreate
from .party_create_role import PartyCreateRole
from .party_created import PartyCreated
from .party_out import PartyOut
from .payee_address_in import PayeeAddressIn
from .payment_out import PaymentOut
from .payout_details_patch import PayoutDetailsPatch
from .payout_item_out import PayoutItemOut
from .payout_out import PayoutOut
from .preview_line_out import PreviewLineOut
from .problem import Problem
from .problem_code import ProblemCode
from .problem_errors_item import ProblemErrorsItem
from .product_create import ProductCreate
from .product_create_kind import ProductCreateKind
from .product_kind import ProductKind
from .product_out import ProductOut
from .provider_notification_response_provider_notification_v1_providers_provider_notifications_post import (
    ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost,
)
from .ready_out import ReadyOut
from .redelivery_out import RedeliveryOut
from .redemption_code_out import RedemptionCodeOut
from .redemption_in import RedemptionIn
from .redemption_out import RedemptionOut
from .redemption_preview_in import RedemptionPreviewIn
from .redemption_preview_out import RedemptionPreviewOut
from .refund_out import RefundOut
from .refund_to_sepa import RefundToSepa
from .refunded_out import RefundedOut
from .refused_line_out import RefusedLineOut
from .rejected_item_in import RejectedItemIn
from .released_out import ReleasedOut
from .sandbox_pay_in import SandboxPayIn
from .sandbox_sweep_in import SandboxSweepIn
from .share_out import ShareOut
from .stock_adjustment_in import StockAdjustmentIn
from .stock_import_out import StockImportOut
from .stock_level_out import StockLevelOut
from .stock_set_in import StockSetIn
from .sweep_out import SweepOut
from .transfer_out import TransferOut
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_create_events_item import WebhookEndpointCreateEventsItem
from .webhook_endpoint_out import WebhookEndpointOut
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_endpoint_update_events_type_0_item import WebhookEndpointUpdateEventsType0Item
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret

__all__ = (
    "AddressIn",
    "AddressOut",
    "AgreementCreate",
    "AgreementOut",
    "AgreementStatus",
    "AlertOut",
    "AlertOutData",
    "AmountsOut",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyCreateScopesType0Item",
    "ApiKeyOut",
    "AttemptOut",
    "AuditEventOut",
    "AuditEventOutDetails",
    "BalanceOut",
    "BalancesOut",
    "BatchConfirm",
    "BatchCreate",
    "BatchOut",
    "BatchSummaryOut",
    "CartCheckoutIn",
    "CartCheckoutInFulfilment",
    "CartCheckoutInPaymentMode",
    "CartCreate",
    "CartLineAddIn",
    "CartLineChangeIn",
    "CartLineIn",
    "CartLineOut",
    "CartOut",
    "CartOutStatus",
    "CartScanIn",
    "CartStatus",
    "CheckoutIn",
    "CheckoutQrFormat",
    "CodeImageOut",
    "Country",
    "Currency",
    "CustomerData",
    "CustomerDataOrdersItem",
    "CustomerErase",
    "CustomerIn",
    "CustomerInLocaleType0",
    "CustomerOut",
    "ErasedOrder",
    "ErasureReport",
    "EventOut",
    "EventOutData",
    "ExportFecEncoding",
    "HandoverIn",
    "Health",
    "HeldDayOut",
    "HeldHistoryFormat",
    "HeldHistoryOut",
    "IbanChangeOut",
    "IbanHistoryOut",
    "ImportedLineOut",
    "KeptData",
    "LineIn",
    "LineOut",
    "ListAuditEventsAction",
    "ListEventsType",
    "ListingCreate",
    "ListingOut",
    "NextActionOut",
    "OrderCreate",
    "OrderCreateFulfilment",
    "OrderCreatePaymentMode",
    "OrderOut",
    "OrderQrFormat",
    "OrderStatus",
    "PageAgreementOut",
    "PageAlertOut",
    "PageApiKeyOut",
    "PageAttemptOut",
    "PageAuditEventOut",
    "PageBatchSummaryOut",
    "PageCartOut",
    "PageEventOut",
    "PageListingOut",
    "PageOrderOut",
    "PagePayoutOut",
    "PageProductOut",
    "PageRefundOut",
    "PageStockLevelOut",
    "PageTransferOut",
    "PageWebhookEndpointOut",
    "PartyCreate",
    "PartyCreated",
    "PartyCreateRole",
    "PartyOut",
    "PayeeAddressIn",
    "PaymentOut",
    "PayoutDetailsPatch",
    "PayoutItemOut",
    "PayoutOut",
    "PreviewLineOut",
    "Problem",
    "ProblemCode",
    "ProblemErrorsItem",
    "ProductCreate",
    "ProductCreateKind",
    "ProductKind",
    "ProductOut",
    "ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost",
    "ReadyOut",
    "RedeliveryOut",
    "RedemptionCodeOut",
    "RedemptionIn",
    "RedemptionOut",
    "RedemptionPreviewIn",
    "RedemptionPreviewOut",
    "RefundedOut",
    "RefundOut",
    "RefundToSepa",
    "RefusedLineOut",
    "RejectedItemIn",
    "ReleasedOut",
    "SandboxPayIn",
    "SandboxSweepIn",
    "ShareOut",
    "StockAdjustmentIn",
    "StockImportOut",
    "StockLevelOut",
    "StockSetIn",
    "SweepOut",
    "TransferOut",
    "WebhookEndpointCreate",
    "WebhookEndpointCreateEventsItem",
    "WebhookEndpointOut",
    "WebhookEndpointUpdate",
    "WebhookEndpointUpdateEventsType0Item",
    "WebhookEndpointWithSecret",
)
