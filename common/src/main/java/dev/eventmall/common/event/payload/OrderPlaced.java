package dev.eventmall.common.event.payload;

import java.time.Instant;
import java.util.List;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code order.events} OrderPlaced v1: a customer placed an order; key = orderId. */
public record OrderPlaced(String orderId, String memberId, List<Line> lines, Long totalAmount, String paymentMethod,
                          Instant placedAt, String orderName, ShippingAddress shippingAddress) implements OrderScoped {
  public OrderPlaced {
    requiredText(orderId, "orderId");
    requiredText(memberId, "memberId");
    required(lines, "lines");
    required(totalAmount, "totalAmount");
    requiredText(paymentMethod, "paymentMethod");
    required(placedAt, "placedAt");
  }

  /** One line of the order at the price it was placed at. */
  public record Line(String productId, Integer quantity, Long unitPrice) {
    public Line {
      requiredText(productId, "productId");
      required(quantity, "quantity");
      required(unitPrice, "unitPrice");
    }
  }

  /** The address the order ships to, as it was when the order was placed. */
  public record ShippingAddress(String addressId, String recipient, String phone, String zipCode, String line1,
                                String line2) {
    public ShippingAddress {
      requiredText(addressId, "addressId");
      requiredText(recipient, "recipient");
      requiredText(phone, "phone");
      requiredText(zipCode, "zipCode");
      requiredText(line1, "line1");
    }
  }
}
